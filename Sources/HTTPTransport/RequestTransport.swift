/// Sends one HTTP request, once: the seam between sending and deciding about retries,
/// which ``RetryLoop`` does above it. ``HTTPClient`` (libcurl) is the implementation;
/// tests put a scripted one in its place.
public protocol RequestTransport: Sendable {
    /// Sends `request` once. Returns the answer when it is 2xx; throws `.status` for any
    /// other answer (its body cut short and scrubbed of the request's secrets), and
    /// `.network`, `.timeout`, `.configuration` or `.cancelled` when there is none.
    func perform(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse
}

extension RequestTransport {
    /// Sends `request` until it succeeds (2xx) or `retryPolicy` gives up, waiting the
    /// policy's backoff (or the server's `Retry-After`) between attempts: ``RetryLoop``
    /// with decisions from ``RetryPolicy/decide(_:)``.
    ///
    /// Throws `.status` for a permanent HTTP failure (a 4xx other than a retried 429),
    /// `.retriesExhausted` when retryable failures went on until the policy's last
    /// attempt (even with a single attempt allowed), `.configuration` or `.network`
    /// with a permanent curl code for problems retrying cannot fix, and `.cancelled`.
    /// `onRetry` hears about each retry before its wait.
    public func send(
        _ request: HTTPRequest, retryPolicy: RetryPolicy, onRetry: (@Sendable (RetryAttempt) -> Void)? = nil
    ) async throws(HTTPTransportError) -> HTTPResponse {
        try await RetryLoop(policy: retryPolicy).send(request, over: self, onRetry: onRetry)
    }
}
