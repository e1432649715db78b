import Foundation

/// One request as a `ScriptedHTTPServer` received it.
public struct ScriptedHTTPRequest: Sendable {
    public var method: String
    /// The request target as sent: a path with its query, or an absolute URL when the
    /// server is used as a forward proxy.
    public var target: String
    public var headers: ScriptedHTTPHeaders
    /// The whole body (de-chunked).
    public var body: [UInt8]
    /// Which connection it came on: 1 for the first the server accepted.
    public var connection: Int
    /// When its last byte arrived.
    public var arrival: Date
}
