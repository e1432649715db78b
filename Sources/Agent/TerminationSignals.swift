import Dispatch

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

    private final class ResumeOnce: @unchecked Sendable {
        private var continuation: CheckedContinuation<Int32, Never>?
        private var retained: [any DispatchSourceSignal] = []
        private let lock = DispatchQueue(label: "ipvs-push.signals.once")

        init(_ continuation: CheckedContinuation<Int32, Never>) { self.continuation = continuation }

        func keepAlive(_ sources: [any DispatchSourceSignal]) { lock.sync { retained = sources } }

        func resume(_ signalNumber: Int32) {
            let pending: CheckedContinuation<Int32, Never>? = lock.sync {
                defer { continuation = nil }
                return continuation
            }
            pending?.resume(returning: signalNumber)
        }
    }
}
