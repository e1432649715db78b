/// What a successful push, add or delete did.
public struct PushResult: Sendable, Hashable {
    /// The gateway's status: 200, or 202 when its consistency check is off or for a delete.
    public var status: Int
    /// How many attempts it took (1 when the first succeeded).
    public var attempts: Int
    /// Samples whose timestamps were removed before sending (the gateway refuses
    /// them); a caller may warn when this is not zero.
    public var strippedTimestamps: Int
    /// The rendered text size, before any compression.
    public var bodyBytes: Int
    /// What went over the wire (the gzip size when compressed).
    public var sentBytes: Int
    /// The full URL of the group, without credentials.
    public var url: String

    public init(status: Int, attempts: Int, strippedTimestamps: Int, bodyBytes: Int, sentBytes: Int, url: String) {
        self.status = status
        self.attempts = attempts
        self.strippedTimestamps = strippedTimestamps
        self.bodyBytes = bodyBytes
        self.sentBytes = sentBytes
        self.url = url
    }
}
