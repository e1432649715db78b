/// What a `RetryPolicy` makes of one attempt's outcome.
public enum RetryDecision: Sendable {
    /// A 2xx answer: done.
    case success(HTTPResponse)
    /// A failure worth another attempt; `retryAfter` is the server's `Retry-After`.
    case retry(HTTPTransportError, retryAfter: Duration?)
    /// A failure another attempt cannot fix (a 4xx, a configuration problem).
    case permanent(HTTPTransportError)
}
