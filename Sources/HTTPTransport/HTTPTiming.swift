/// Where the time of one request went, as libcurl measured it from the start of the
/// transfer.
public struct HTTPTiming: Sendable, Hashable {
    /// Until the TCP connection (not TLS) was up; zero when a kept-alive connection was reused.
    public var connect: Duration
    /// Until the first byte of the response arrived.
    public var firstByte: Duration
    /// The whole request.
    public var total: Duration

    public init(connect: Duration, firstByte: Duration, total: Duration) {
        self.connect = connect
        self.firstByte = firstByte
        self.total = total
    }
}
