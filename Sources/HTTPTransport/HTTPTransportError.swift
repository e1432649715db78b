/// Why a request failed. Descriptions name the URL (without credentials) and say what
/// to check; they never contain a password, token, `Authorization` value or URL user
/// information.
public indirect enum HTTPTransportError: Error, Sendable, CustomStringConvertible {
    /// The configuration cannot work: a missing or unreadable file, an option libcurl
    /// refuses. Retrying does not help.
    case configuration(String)
    /// libcurl could not complete the exchange: name resolution, connection refused or
    /// reset, TLS failure. `curlCode` is libcurl's `CURLcode`, `message` its explanation.
    case network(curlCode: Int, message: String, url: String)
    /// No complete answer within `limit`.
    case timeout(url: String, limit: Duration)
    /// The server answered with a status other than 2xx.
    case status(HTTPStatusFailure)
    /// The calling task was cancelled; the transfer was aborted.
    case cancelled(url: String)
    /// Retryable failures went on until the retry policy gave up; `last` is the final one.
    case retriesExhausted(attempts: Int, last: HTTPTransportError)

    /// The failure behind a `retriesExhausted`, or this error itself.
    public var underlying: HTTPTransportError {
        if case .retriesExhausted(_, let last) = self { return last.underlying }
        return self
    }

    /// The HTTP status when the server answered, else nil.
    public var status: Int? {
        if case .status(let failure) = underlying { return failure.status }
        return nil
    }

    public var description: String {
        switch self {
        case .configuration(let message):
            return message
        case .network(let code, let message, let url):
            return "cannot reach \(url): \(message) (curl error \(code)); check the URL, the proxy settings and "
                + "that the server is running"
        case .timeout(let url, let limit):
            return "\(url) gave no complete answer within \(DurationText.format(limit)); the server is hanging or "
                + "slow (raise the timeout if it is only slow)"
        case .status(let failure):
            let body = failure.body.isEmpty ? "(empty body)" : failure.body
            return "\(failure.method.rawValue) \(failure.url) answered HTTP \(failure.status): \(body)"
        case .cancelled(let url):
            return "request to \(url) cancelled"
        case .retriesExhausted(let attempts, let last):
            return "gave up after \(attempts) attempts; last error: \(last)"
        }
    }
}
