/// What the `mangle` MARK rules of a namespace say about each firewall mark: the
/// destination ports and the IPv4 destination addresses of the rules that set it.
///
/// Docker Swarm marks a service's published ports in `ingress_sbox`
/// (`-p tcp --dport 30000 -j MARK`) and its virtual IP in each network's load-balancer
/// namespace (`-d 10.0.1.2/32 -j MARK`): the ports label a firewall-mark service, the
/// addresses tell Docker's services apart when naming them.
public struct FirewallMarks: Sendable, Equatable {
    /// Mark → destination ports, sorted and unique.
    public var ports: [UInt32: [UInt16]]
    /// Mark → IPv4 destination addresses of single-address (`/32`) rules, sorted and unique.
    public var addresses: [UInt32: [String]]

    public init(ports: [UInt32: [UInt16]] = [:], addresses: [UInt32: [String]] = [:]) {
        self.ports = ports
        self.addresses = addresses
    }

    public var isEmpty: Bool { ports.isEmpty && addresses.isEmpty }

    /// Both readings together (the legacy and the nft backend of one namespace).
    func merged(with other: FirewallMarks) -> FirewallMarks {
        var result = self
        result.ports.merge(other.ports) { Array(Set($0).union($1)).sorted() }
        result.addresses.merge(other.addresses) { Array(Set($0).union($1)).sorted() }
        return result
    }
}

/// Marks gathered rule by rule, made unique and sorted once at the end.
struct FirewallMarksBuilder {
    private var ports: [UInt32: Set<UInt16>] = [:]
    private var addresses: [UInt32: Set<String>] = [:]

    mutating func add(mark: UInt32, ports rulePorts: [UInt16], address: String?) {
        if !rulePorts.isEmpty { ports[mark, default: []].formUnion(rulePorts) }
        if let address { addresses[mark, default: []].insert(address) }
    }

    var result: FirewallMarks {
        FirewallMarks(
            ports: ports.mapValues { $0.sorted() },
            addresses: addresses.mapValues { $0.sorted(by: Self.addressOrder) })
    }

    /// Numeric order of dotted quads (10.0.0.9 before 10.0.0.10).
    private static func addressOrder(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: ".").compactMap { UInt32($0) }
        let y = b.split(separator: ".").compactMap { UInt32($0) }
        return x.lexicographicallyPrecedes(y)
    }
}
