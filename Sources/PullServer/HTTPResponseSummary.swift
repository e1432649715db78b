import NIOHTTP1

/// A response the connection handler writes: status, headers and the whole body, or,
/// for a scrape, a ``ScrapeStream`` that renders the body while it is written (then
/// `body` is empty and there is no `Content-Length`).
struct HTTPResponseSummary: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: [UInt8]
    /// Whether the response compressor may gzip the body when the client accepts it.
    var compressible: Bool
    /// The body, rendered piece by piece while it is written, instead of `body`.
    var stream: ScrapeStream?

    init(status: HTTPResponseStatus, contentType: String, body: [UInt8], compressible: Bool = false) {
        self.status = status
        self.headers = HTTPHeaders([("Content-Type", contentType)])
        self.body = body
        self.compressible = compressible
    }

    /// A `text/plain` response whose body is `message` and a newline.
    static func text(_ status: HTTPResponseStatus, _ message: String) -> HTTPResponseSummary {
        HTTPResponseSummary(
            status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8))
    }
}
