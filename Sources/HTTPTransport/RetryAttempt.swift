/// A retry about to happen, reported to the caller's `onRetry` hook (for logging and
/// counting failed sends).
public struct RetryAttempt: Sendable {
    /// The attempt that failed, 1 for the first.
    public var failedAttempt: Int
    /// Why it failed.
    public var error: HTTPTransportError
    /// How long the sender waits before the next attempt.
    public var delay: Duration
}
