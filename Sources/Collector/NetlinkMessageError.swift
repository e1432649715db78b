/// Why a netlink message from the kernel could not be used. Such a message is skipped
/// and counted; it never fails the whole collection.
public struct NetlinkMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { "malformed netlink message: \(reason)" }
}
