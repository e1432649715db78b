import NIOConcurrencyHelpers

/// Wakes a shard's sender when batches were queued. A signal sent while nobody waits
/// is kept, so a wake-up between "the queue is empty" and "wait" is not lost.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    func signal() {
        let toResume: CheckedContinuation<Void, Never>? = state.withLockedValue {
            if let waiter = $0.waiter {
                $0.waiter = nil
                return waiter
            }
            $0.pending = true
            return nil
        }
        toResume?.resume()
    }

    /// Returns after the next signal (at once if one is pending) or when the task is
    /// cancelled. One waiter at a time.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLockedValue {
                    if $0.pending || Task.isCancelled {
                        $0.pending = false
                        return true
                    }
                    $0.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let toResume: CheckedContinuation<Void, Never>? = state.withLockedValue { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            toResume?.resume()
        }
    }
}
