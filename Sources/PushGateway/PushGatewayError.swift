import HTTPTransport

/// Why a push, add or delete failed. The cases map onto the command line's exit
/// codes: `invalidGroupingKey`, `clashingLabel` and `configuration` are the user's
/// input, `rejected` is the gateway refusing the data, `unreachable` is delivery
/// failing after retries.
public enum PushGatewayError: Error, Sendable, CustomStringConvertible {
    /// The grouping key cannot form a valid group (empty job, bad label name).
    case invalidGroupingKey(String)
    /// A pushed sample carries `job` or a grouping label, which the gateway would
    /// replace or reject; nothing was sent.
    case clashingLabel(metric: String, label: String)
    /// The gateway answered with a status that retrying cannot change (4xx); `reason`
    /// is the gateway's explanation from the body.
    case rejected(status: Int, reason: String, url: String)
    /// No success after `attempts` attempts: network errors, timeouts, 5xx, or a TLS
    /// failure; `lastError` is the final one.
    case unreachable(url: String, attempts: Int, lastError: HTTPTransportError)
    /// The transport cannot work as configured (unreadable credentials, bad option),
    /// or the base URL is not an http(s) URL.
    case configuration(String)
    /// The calling task was cancelled.
    case cancelled(url: String)

    public var description: String {
        switch self {
        case .invalidGroupingKey(let message):
            return "invalid grouping key: \(message)"
        case .clashingLabel(let metric, let label):
            return "metric \(metric) carries the label \"\(label)\", which is the job or a grouping label of the push; "
                + "remove it from the metric or from the grouping key"
        case .rejected(let status, let reason, let url):
            let shown = reason.isEmpty ? "(no reason given)" : reason
            return "the Pushgateway rejected the request to \(url) (HTTP \(status)): \(shown)"
        case .unreachable(let url, let attempts, let lastError):
            let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
            return "the Pushgateway at \(url) could not be reached after \(tries): \(lastError.underlying)"
        case .configuration(let message):
            return message
        case .cancelled(let url):
            return "push to \(url) cancelled"
        }
    }
}
