/// A server's answer with a status that is not 2xx, kept short enough to show: the
/// first KiB of the body is usually the server's reason (Pushgateway, Prometheus and
/// Mimir all put it there).
public struct HTTPStatusFailure: Sendable, Hashable {
    /// How much of the body an error keeps.
    public static let bodyPrefixLimit = 1024

    public var status: Int
    public var method: HTTPMethod
    /// The URL without credentials.
    public var url: String
    /// The first KiB of the body as text, credentials removed.
    public var body: String
    /// The server's `Retry-After`, when it sent one.
    public var retryAfter: Duration?

    public init(status: Int, method: HTTPMethod, url: String, body: String, retryAfter: Duration? = nil) {
        self.status = status
        self.method = method
        self.url = url
        self.body = body
        self.retryAfter = retryAfter
    }

    /// The failure a non-2xx `response` stands for, its body cut to the first KiB and
    /// scrubbed of the request's secrets.
    init(response: HTTPResponse, method: HTTPMethod, url: String, redactor: Redactor? = nil) {
        var text = String(decoding: response.body.prefix(Self.bodyPrefixLimit), as: UTF8.self)
        if let redactor { text = redactor.scrub(text) }
        self.init(status: response.status, method: method, url: url, body: text, retryAfter: response.retryAfter)
    }
}
