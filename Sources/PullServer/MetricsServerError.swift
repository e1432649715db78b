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
    /// A certificate, key or CA (named by its `tls_server_config` key and file, or
    /// `(inline PEM)`) cannot be used; `reason` says why and what to do.
    case invalidTLSMaterial(key: String, source: String, reason: String)
    /// The TLS settings cannot work together, or BoringSSL refused them.
    case invalidTLSSettings(String)
    /// ``MetricsServer/reload(security:)`` was asked to turn TLS on (`enabling`) or off on
    /// a server that is listening.
    case tlsSwitchNeedsRestart(enabling: Bool)

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
        case .invalidTLSMaterial(let key, let source, let reason):
            "tls_server_config \(key) \(source): \(reason)"
        case .invalidTLSSettings(let reason):
            "invalid tls_server_config: \(reason)"
        case .tlsSwitchNeedsRestart(let enabling):
            "the new web configuration turns TLS \(enabling ? "on" : "off"), which a listening server cannot do; "
                + "restart ipvs-push to switch between HTTP and HTTPS"
        }
    }
}
