/// exporter-toolkit's `rate_limit`: a token bucket over all requests of the server, checked
/// before authentication; a request without a token is answered 429 Too Many Requests.
public struct RequestRateLimit: Sendable, Hashable {
    /// The time in which one token comes back. Must be positive.
    public var interval: Duration
    /// How many tokens the bucket holds, and holds at the start: the burst of requests
    /// allowed at once. 0 refuses every request, as Go's `rate.Limiter` does.
    public var burst: Int

    public init(interval: Duration, burst: Int) {
        self.interval = interval
        self.burst = burst
    }
}
