/// How the pull server protects itself, as exporter-toolkit's web configuration file
/// (`--web.config.file`) describes it: TLS, HTTP basic authentication, extra response
/// headers and a request rate limit. ``none`` serves plain HTTP to everyone.
///
/// Every request, to the telemetry path and to the landing page alike, goes through the
/// rate limit first, then basic authentication; every response (401 and 429 included)
/// carries ``responseHeaders``.
public struct WebSecurity: Sendable, Hashable {
    /// TLS for the listener; `nil` serves plain HTTP.
    public var tls: TLSServerSettings?
    /// `basic_auth_users`: user name to bcrypt hash of the password. Empty turns basic
    /// authentication off.
    public var basicAuthUsers: [String: BcryptHash]
    /// `http_server_config.headers`: response headers added to every response. Only the
    /// names in ``allowedResponseHeaders`` may be set, with their allowed values; an empty
    /// value sets nothing ("unset if blank").
    public var responseHeaders: [String: String]
    /// `rate_limit`; `nil` turns it off.
    public var rateLimit: RequestRateLimit?

    public init(
        tls: TLSServerSettings? = nil,
        basicAuthUsers: [String: BcryptHash] = [:],
        responseHeaders: [String: String] = [:],
        rateLimit: RequestRateLimit? = nil
    ) {
        self.tls = tls
        self.basicAuthUsers = basicAuthUsers
        self.responseHeaders = responseHeaders
        self.rateLimit = rateLimit
    }

    /// Plain HTTP, no authentication, no extra headers, no rate limit.
    public static let none = WebSecurity()

    /// The response headers exporter-toolkit lets a web configuration set, with the values
    /// each accepts (`nil`: any value). The list is closed on purpose, to keep exporters
    /// alike; names are matched exactly as written here.
    public static let allowedResponseHeaders: [String: [String]?] = [
        "Strict-Transport-Security": nil,
        "X-Content-Type-Options": ["nosniff"],
        "X-Frame-Options": ["deny", "sameorigin"],
        "X-XSS-Protection": nil,
        "Content-Security-Policy": nil,
    ]

    /// Why the header `name: value` may not be configured, or `nil` when it may.
    public static func responseHeaderProblem(name: String, value: String) -> String? {
        if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
            return "the value of \(name) must be one line without control characters"
        }
        guard let allowed = allowedResponseHeaders[name] else {
            let names = allowedResponseHeaders.keys.sorted().joined(separator: ", ")
            return "the header \(name) cannot be configured (allowed: \(names))"
        }
        if let allowed, !value.isEmpty, !allowed.contains(value) {
            let values = allowed.map { "\"\($0)\"" }.joined(separator: " or ")
            return "\(name) must be \(values), not \"\(value)\""
        }
        return nil
    }
}
