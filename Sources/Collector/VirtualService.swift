/// An IPVS virtual service with everything the kernel reports about it.
public struct VirtualService: Sendable, Hashable {
    public var family: IPAddressFamily
    /// nil for firewall-mark services.
    public var transportProtocol: TransportProtocol?
    /// The raw protocol number when it is none of TCP, UDP, SCTP (kept so the
    /// destination dump can still name the service).
    public var protocolNumber: UInt16
    /// nil for firewall-mark services.
    public var address: IPAddress?
    /// nil for firewall-mark services.
    public var port: UInt16?
    /// nil unless this is a firewall-mark service.
    public var firewallMark: UInt32?
    public var scheduler: String
    public var flags: ServiceFlags
    /// Persistence timeout in seconds (meaningful when `flags` has `.persistent`).
    public var timeout: UInt32
    /// For IPv4 the mask as dotted quad, for IPv6 the prefix length.
    public var netmask: UInt32
    /// The persistence engine (`sip`), empty when none.
    public var persistenceEngine: String
    public var stats: IPVSStats
    public var destinations: [RealServer]
    /// The service's name, when a names source knows it (never read from the kernel).
    public var name: ServiceName?

    public init(
        family: IPAddressFamily, transportProtocol: TransportProtocol? = nil, protocolNumber: UInt16 = 0,
        address: IPAddress? = nil, port: UInt16? = nil, firewallMark: UInt32? = nil, scheduler: String = "",
        flags: ServiceFlags = [], timeout: UInt32 = 0, netmask: UInt32 = 0, persistenceEngine: String = "",
        stats: IPVSStats = IPVSStats(), destinations: [RealServer] = [], name: ServiceName? = nil
    ) {
        self.family = family
        self.transportProtocol = transportProtocol
        self.protocolNumber = protocolNumber
        self.address = address
        self.port = port
        self.firewallMark = firewallMark
        self.scheduler = scheduler
        self.flags = flags
        self.timeout = timeout
        self.netmask = netmask
        self.persistenceEngine = persistenceEngine
        self.stats = stats
        self.destinations = destinations
        self.name = name
    }

    /// The netmask label value: dotted quad for IPv4, prefix length for IPv6.
    public var netmaskLabel: String {
        switch family {
        case .inet:
            let m = netmask
            return "\(m >> 24 & 0xff).\(m >> 16 & 0xff).\(m >> 8 & 0xff).\(m & 0xff)"
        case .inet6:
            return String(netmask)
        }
    }

    /// The order services are printed in: family, protocol, address, port, mark.
    public static func isOrderedBefore(_ a: VirtualService, _ b: VirtualService) -> Bool {
        if a.family != b.family { return a.family.rawValue < b.family.rawValue }
        if (a.firewallMark == nil) != (b.firewallMark == nil) { return a.firewallMark == nil }
        if let ma = a.firewallMark, let mb = b.firewallMark { return ma < mb }
        if a.protocolNumber != b.protocolNumber { return a.protocolNumber < b.protocolNumber }
        if a.address != b.address {
            switch (a.address, b.address) {
            case (let x?, let y?): return IPAddress.bytesPrecede(x, y)
            case (nil, _?): return true
            default: return false
            }
        }
        return (a.port ?? 0) < (b.port ?? 0)
    }
}
