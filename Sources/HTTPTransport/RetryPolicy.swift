/// When and how often to retry a request, shared by the Pushgateway and remote-write
/// senders.
///
/// Network errors, timeouts and 5xx answers are retried; 429 only when
/// `retryOn429` is set (a rate limit may mean "send less", not "send again"); any
/// other status and configuration problems are permanent. The wait doubles from
/// `minBackoff` up to `maxBackoff`, randomly shortened by up to `jitter` of itself so
/// that many agents restarted together do not retry in lock step. A server's
/// `Retry-After` replaces the computed wait (capped at `maxRetryAfter`).
public struct RetryPolicy: Sendable, Hashable {
    /// The wait before the first retry.
    public var minBackoff: Duration
    /// The longest wait between two attempts.
    public var maxBackoff: Duration
    /// The most attempts in all, the first included; nil retries until success or a
    /// permanent error (remote write's behaviour) or until the task is cancelled.
    public var maxAttempts: Int?
    /// Whether 429 Too Many Requests is retried.
    public var retryOn429: Bool
    /// The fraction (0...1) by which a wait may be randomly shortened.
    public var jitter: Double
    /// The longest `Retry-After` honoured; longer requests wait this long.
    public var maxRetryAfter: Duration

    /// Prometheus' remote-write timings (30 ms doubling to 5 s) with a bounded number
    /// of attempts.
    public init(
        minBackoff: Duration = .milliseconds(30), maxBackoff: Duration = .seconds(5), maxAttempts: Int? = 5,
        retryOn429: Bool = false, jitter: Double = 0.5, maxRetryAfter: Duration = .seconds(300)
    ) {
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
        self.maxAttempts = maxAttempts
        self.retryOn429 = retryOn429
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
    }

    /// One attempt only.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// Classifies the outcome of one attempt. A non-2xx response passed as success is
    /// classified like the `status` error it stands for.
    public func decide(_ outcome: Result<HTTPResponse, HTTPTransportError>) -> RetryDecision {
        switch outcome {
        case .success(let response):
            guard !response.isSuccess else { return .success(response) }
            return decide(.failure(.status(HTTPStatusFailure(response: response, method: .get, url: "(unknown URL)"))))
        case .failure(let error):
            switch error {
            case .status(let failure):
                if failure.status >= 500 || (failure.status == 429 && retryOn429) {
                    return .retry(error, retryAfter: failure.retryAfter)
                }
                return .permanent(error)
            case .network(let code, _, _):
                return CurlCodes.isPermanent(code) ? .permanent(error) : .retry(error, retryAfter: nil)
            case .timeout:
                return .retry(error, retryAfter: nil)
            case .configuration, .cancelled, .retriesExhausted:
                return .permanent(error)
            }
        }
    }

    /// The computed wait after `failedAttempts` failures (1 for the first), before
    /// jitter: `minBackoff` doubled for each further failure, at most `maxBackoff`.
    public func backoff(afterFailures failedAttempts: Int) -> Duration {
        var delay = minBackoff
        var remaining = max(failedAttempts, 1) - 1
        while remaining > 0 && delay < maxBackoff {
            delay = delay * 2
            remaining -= 1
        }
        return min(delay, maxBackoff)
    }

    /// The wait before the next attempt: the server's `retryAfter` when given (capped
    /// at `maxRetryAfter`), else the backoff with jitter applied.
    public func delay(afterFailures failedAttempts: Int, retryAfter: Duration?) -> Duration {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failedAttempts, using: &generator)
    }

    /// The backoff with jitter drawn from `generator`.
    public func delay(afterFailures failedAttempts: Int, using generator: inout some RandomNumberGenerator)
        -> Duration
    {
        let base = backoff(afterFailures: failedAttempts)
        let fraction = min(max(jitter, 0), 1)
        guard fraction > 0 else { return base }
        return base * (1 - fraction * Double.random(in: 0..<1, using: &generator))
    }

    /// Whether another attempt is allowed after `attempts` attempts.
    public func allowsAttempt(after attempts: Int) -> Bool {
        maxAttempts.map { attempts < $0 } ?? true
    }
}
