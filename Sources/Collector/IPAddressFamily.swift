/// The address family of a virtual service or real server.
public enum IPAddressFamily: UInt16, Sendable, Hashable {
    case inet = 2  // AF_INET
    case inet6 = 10  // AF_INET6

    /// The label value: `inet` or `inet6`.
    public var name: String {
        switch self {
        case .inet: "inet"
        case .inet6: "inet6"
        }
    }
}
