import HTTPTransport

/// How the Pushgateway client sends, beyond the transport's own configuration.
public struct PushOptions: Sendable {
    /// Compresses bodies (`Content-Encoding: gzip`, accepted since Pushgateway 1.5.0).
    public var gzip: Bool
    /// Retries network errors, timeouts and 5xx; never 4xx.
    public var retryPolicy: RetryPolicy
    /// The most each attempt may take; nil keeps the transport's `timeout`.
    public var timeout: Duration?

    public init(
        gzip: Bool = false,
        retryPolicy: RetryPolicy = RetryPolicy(minBackoff: .milliseconds(200), maxBackoff: .seconds(5), maxAttempts: 4),
        timeout: Duration? = nil
    ) {
        self.gzip = gzip
        self.retryPolicy = retryPolicy
        self.timeout = timeout
    }
}
