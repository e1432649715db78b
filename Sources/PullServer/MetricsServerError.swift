/// Why the pull server could not start.
public enum MetricsServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The listen address text (as given) could not be parsed; `reason` says what is wrong.
    case invalidListenAddress(String, reason: String)
    /// The telemetry path (as given) is not an absolute URL path.
    case invalidTelemetryPath(String)
    /// Binding the listen address failed; `reason` is the system's message.
    case bindFailed(address: String, reason: String)
    /// ``MetricsServer/start()`` was called on a server that was already started, or that
    /// was shut down (also while it was still binding).
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidListenAddress(let text, let reason):
            "invalid listen address \"\(text)\": \(reason)"
        case .invalidTelemetryPath(let path):
            "invalid telemetry path \"\(path)\": it must start with \"/\", as in /metrics"
        case .bindFailed(let address, let reason):
            "cannot listen on \(address): \(reason); pick a free port or an address of this host"
        case .alreadyStarted:
            "this metrics server was already started or has been shut down; create a new MetricsServer to serve again"
        }
    }
}
