/// What `IPVS_CMD_GET_CONFIG` reports: the connection timeouts `ipvsadm --set TCP TCPFIN UDP`
/// sets and `ipvsadm -L --timeout` prints, in seconds.
///
/// A kernel built without IPVS's TCP (or UDP) protocol support leaves that attribute out of
/// its reply: the timeout is then nil and has no series.
public struct IPVSTimeouts: Sendable, Hashable {
    /// Established TCP connections.
    public var tcp: UInt32?
    /// TCP connections after a FIN was received.
    public var tcpFin: UInt32?
    public var udp: UInt32?

    public init(tcp: UInt32? = nil, tcpFin: UInt32? = nil, udp: UInt32? = nil) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }

    /// The timeouts the kernel reported, with their `protocol` label, in label order.
    public var labelled: [(protocol: String, seconds: UInt32)] {
        [("tcp", tcp), ("tcp_fin", tcpFin), ("udp", udp)].compactMap { name, value in
            value.map { (name, $0) }
        }
    }
}
