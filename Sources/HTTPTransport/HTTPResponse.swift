/// A response: status, header fields (case-insensitive lookup) and the start of the
/// body. Only the first `TransportConfiguration.maxStoredBodyBytes` bytes are kept,
/// because senders only ever show or parse short answers.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The first bytes of the body, at most the configured maximum.
    public var body: [UInt8]
    /// How many body bytes the server sent in all (more than `body.count` when cut).
    public var bodyBytesReceived: Int
    public var timing: HTTPTiming

    public init(status: Int, headers: HTTPHeaders, body: [UInt8], bodyBytesReceived: Int, timing: HTTPTiming) {
        self.status = status
        self.headers = headers
        self.body = body
        self.bodyBytesReceived = bodyBytesReceived
        self.timing = timing
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// Whether the stored body is shorter than what the server sent.
    public var isBodyTruncated: Bool { bodyBytesReceived > body.count }

    /// The body as UTF-8 text (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The `Retry-After` field as a delay from now, when present and valid.
    public var retryAfter: Duration? {
        headers["Retry-After"].flatMap { RetryAfter.parse($0) }
    }
}
