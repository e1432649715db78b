import NIOConcurrencyHelpers

/// A token bucket shared by every connection of the server (``RequestRateLimit``): it
/// starts full with `burst` tokens and gains one per `interval`, up to `burst`; each
/// request takes one or is refused. The same rule as Go's `rate.Limiter.Allow`.
final class RequestRateLimiter: Sendable {
    let limit: RequestRateLimit
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private let bucket: NIOLockedValueBox<Bucket>

    init(_ limit: RequestRateLimit, now: ContinuousClock.Instant = .now) {
        self.limit = limit
        bucket = NIOLockedValueBox(Bucket(tokens: Double(limit.burst), updated: now))
    }

    /// Takes a token if there is one.
    func allow(now: ContinuousClock.Instant = .now) -> Bool {
        let perToken = limit.interval / .seconds(1)
        let burst = Double(limit.burst)
        return bucket.withLockedValue { bucket in
            let elapsed = (now - bucket.updated) / .seconds(1)
            if elapsed > 0 {
                bucket.tokens = min(burst, bucket.tokens + elapsed / perToken)
                bucket.updated = now
            }
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }
}
