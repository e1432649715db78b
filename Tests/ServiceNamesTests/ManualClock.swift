import Synchronization

/// A clock the test moves by hand, so the refresh policy is tested without waiting.
final class ManualClock: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex(Duration.zero)

    func now() -> ContinuousClock.Instant { start + offset.withLock { $0 } }

    func advance(_ duration: Duration) {
        offset.withLock { $0 += duration }
    }
}
