/// A virtual service as ipvsadm identifies it: protocol and address, or a firewall mark.
struct IPVSAdmServiceKey: Sendable, Hashable, CustomStringConvertible {
    enum Kind: String, Sendable, Hashable {
        case tcp, udp, sctp, fwmark
    }

    var kind: Kind
    /// `inet` or `inet6`, as the metric contract names families.
    var family: String
    /// The virtual address in canonical text without brackets; empty for a firewall mark.
    var address: String
    /// The virtual port; 0 for a firewall mark.
    var port: Int
    /// The firewall mark of a fwmark service.
    var fwmark: UInt32?

    var description: String {
        if let fwmark { return "FWM \(fwmark)\(family == "inet6" ? " IPv6" : "")" }
        return "\(kind.rawValue.uppercased()) \(family == "inet6" ? "[\(address)]" : address):\(port)"
    }
}
