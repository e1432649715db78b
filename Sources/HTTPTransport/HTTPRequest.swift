/// One HTTP request: a method, an absolute `http` or `https` URL, header fields and
/// an optional body of raw bytes (text for the Pushgateway, snappy-compressed
/// protobuf for remote write).
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The absolute URL. It may carry `user:password@` (sent as basic auth by libcurl);
    /// errors and logs never show that part.
    public var url: String
    /// Fields sent after the configured ones; a field here replaces a configured field
    /// of the same name, so protocol headers cannot be overridden by user headers.
    public var headers: HTTPHeaders
    public var body: [UInt8]?
    /// The total time this request may take, replacing the configuration's `timeout`.
    public var timeout: Duration?

    public init(
        method: HTTPMethod, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil,
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// A copy whose body is gzip-compressed and marked `Content-Encoding: gzip`.
    public func gzipped(level: Int32 = Gzip.defaultLevel) throws(GzipError) -> HTTPRequest {
        var copy = self
        copy.body = try Gzip.compress(body ?? [], level: level)
        copy.headers.replaceOrAdd(name: "Content-Encoding", value: "gzip")
        return copy
    }
}
