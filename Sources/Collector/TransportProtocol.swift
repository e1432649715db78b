/// The transport protocol of a virtual service (absent for firewall-mark services).
public enum TransportProtocol: UInt16, Sendable, Hashable {
    case tcp = 6
    case udp = 17
    case sctp = 132

    /// The label value: `tcp`, `udp` or `sctp`.
    public var name: String {
        switch self {
        case .tcp: "tcp"
        case .udp: "udp"
        case .sctp: "sctp"
        }
    }
}
