#if canImport(Glibc)
    import Glibc
#endif

/// The kernel's IPVS connection table of a namespace, as `ipvsadm -Lnc` lists it, counted by
/// virtual service, real server and state (`--connection-states`).
///
/// `/proc/net/ip_vs_conn` lists the entries of the namespace of the process that opened it
/// (`/proc/net` is `/proc/self/net`, the thread-group leader's), not of the calling thread:
/// the table is read through `/proc/thread-self/net/`, on the thread that entered the
/// namespace. Checked in the lab, where the ingress namespace's table differs from the host's.
enum ConnectionTable {
    static let path = "/proc/thread-self/net/ip_vs_conn"

    /// Counts the calling thread's namespace's table, reading it in 64 KiB chunks; nil when
    /// it cannot be opened or read (ip_vs not loaded).
    static func countCurrentNamespace(path: String = path) -> ConnectionTableCounter? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var counter = ConnectionTableCounter()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count > 0 {
                counter.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            } else if count == 0 {
                break
            } else if errno != EINTR {
                return nil
            }
        }
        counter.finish()
        return counter
    }

    /// The counts attributed to the namespace's services (sorted as the snapshot sorts them).
    ///
    /// An entry belongs to the service with its protocol, virtual address and port. Entries of
    /// a firewall-mark service carry the address and port the client used: they belong to the
    /// mark whose MARK rules name that port (`markPorts`) or address (`markAddresses`), or, when
    /// no rule is known, to a mark service of the family with that real server. A persistence
    /// template of a mark service (protocol `IP`) carries the mark as its address. Among several
    /// candidates the one that has the entry's real server wins.
    static func attribute(
        _ counts: [ConnectionEntryKey: Int], to services: [VirtualService], markPorts: [UInt32: [UInt16]],
        markAddresses: [UInt32: [String]]
    ) -> [ConnectionEntries] {
        struct Virtual: Hashable {
            var protocolNumber: UInt16
            var address: IPAddress
            var port: UInt16
        }
        struct MarkKey: Hashable {
            var family: IPAddressFamily
            var port: UInt16
        }
        var byVirtual: [Virtual: Int] = [:]
        var byMark: [UInt32: [Int]] = [:]
        var byMarkPort: [MarkKey: [Int]] = [:]
        var byMarkAddress: [IPAddress: [Int]] = [:]
        var markServices: [IPAddressFamily: [Int]] = [:]
        for (index, service) in services.enumerated() {
            if let mark = service.firewallMark {
                byMark[mark, default: []].append(index)
                markServices[service.family, default: []].append(index)
                for port in markPorts[mark] ?? [] {
                    byMarkPort[MarkKey(family: service.family, port: port), default: []].append(index)
                }
                for text in markAddresses[mark] ?? [] {
                    if let address = IPAddress(text) { byMarkAddress[address, default: []].append(index) }
                }
            } else if let address = service.address {
                byVirtual[Virtual(protocolNumber: service.protocolNumber, address: address, port: service.port ?? 0)] =
                    index
            }
        }

        func has(_ service: VirtualService, _ key: ConnectionEntryKey) -> RealServer? {
            service.destinations.first { destination in
                destination.address == key.destinationAddress
                    && (destination.port == key.destinationPort
                        || (service.firewallMark != nil && destination.port == 0))
            }
        }
        func choose(_ candidates: [Int]?, _ key: ConnectionEntryKey) -> Int? {
            guard let candidates, !candidates.isEmpty else { return nil }
            return candidates.first { has(services[$0], key) != nil } ?? candidates[0]
        }

        var groups: [ConnectionEntries: Int] = [:]
        for (key, count) in counts {
            let family = key.virtualAddress.family
            var index = byVirtual[
                Virtual(protocolNumber: key.protocolNumber, address: key.virtualAddress, port: key.virtualPort)]
            if index == nil && key.protocolNumber == 0 {
                index = byMark[key.virtualAddress.leadingWord]?.first { services[$0].family == family }
            }
            if index == nil {
                index =
                    choose(byMarkPort[MarkKey(family: family, port: key.virtualPort)], key)
                    ?? choose(byMarkAddress[key.virtualAddress], key)
                    ?? (markServices[family] ?? []).first { has(services[$0], key) != nil }
            }
            var orphaned = true
            var grouped = key
            if let index {
                orphaned = has(services[index], key).map { $0.weight == 0 } ?? true
                grouped.protocolNumber = 0
                grouped.virtualAddress = IPAddress(family: .inet, high: 0, low: 0)
                grouped.virtualPort = 0
            }
            groups[ConnectionEntries(serviceIndex: index, key: grouped, orphaned: orphaned, count: 0), default: 0] +=
                count
        }
        return groups.map { entries, count in
            var counted = entries
            counted.count = count
            return counted
        }.sorted(by: isOrderedBefore)
    }

    /// Service order first (entries without a service last, by what they name), then real
    /// server and state.
    static func isOrderedBefore(_ a: ConnectionEntries, _ b: ConnectionEntries) -> Bool {
        let (sa, sb) = (a.serviceIndex ?? Int.max, b.serviceIndex ?? Int.max)
        if sa != sb { return sa < sb }
        let (ka, kb) = (a.key, b.key)
        if ka.virtualAddress != kb.virtualAddress { return ka.virtualAddress < kb.virtualAddress }
        if ka.virtualPort != kb.virtualPort { return ka.virtualPort < kb.virtualPort }
        if ka.protocolNumber != kb.protocolNumber { return ka.protocolNumber < kb.protocolNumber }
        if ka.destinationAddress != kb.destinationAddress { return ka.destinationAddress < kb.destinationAddress }
        if ka.destinationPort != kb.destinationPort { return ka.destinationPort < kb.destinationPort }
        return ka.state < kb.state
    }
}
