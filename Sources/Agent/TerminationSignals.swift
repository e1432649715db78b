import Dispatch
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Waits for SIGTERM or SIGINT, the signals that ask the agent to stop gracefully.
public enum TerminationSignals {
    /// Suspends until one of the signals arrives and returns its number. The signals'
    /// default action (ending the process at once) is turned off while waiting.
    public static func wait(for signals: [Int32] = [SIGTERM, SIGINT]) async -> Int32 {
        await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            let queue = DispatchQueue(label: "ipvs-push.signals")
            var sources: [any DispatchSourceSignal] = []
            for signalNumber in signals {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
                source.setEventHandler {
                    once.resume(signalNumber)
                    for other in sources { other.cancel() }
                }
                sources.append(source)
            }
            for source in sources { source.resume() }
            once.keepAlive(sources)
        }
    }

    private final class ResumeOnce: Sendable {
        /// The signal sources are kept alive here until the process ends.
        private struct State: @unchecked Sendable {
            var continuation: CheckedContinuation<Int32, Never>?
            var retained: [any DispatchSourceSignal] = []
        }

        private let state: NIOLockedValueBox<State>

        init(_ continuation: CheckedContinuation<Int32, Never>) {
            state = NIOLockedValueBox(State(continuation: continuation))
        }

        func keepAlive(_ sources: [any DispatchSourceSignal]) { state.withLockedValue { $0.retained = sources } }

        func resume(_ signalNumber: Int32) {
            let pending: CheckedContinuation<Int32, Never>? = state.withLockedValue { state in
                defer { state.continuation = nil }
                return state.continuation
            }
            pending?.resume(returning: signalNumber)
        }
    }
}
