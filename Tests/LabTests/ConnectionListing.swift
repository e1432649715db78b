import Exposition

#if canImport(Glibc)
    import Glibc
#endif

/// `ipvsadm -Lnc` (the connection table) and the `ipvs_connection_entries` and
/// `ipvs_connection_entries_orphaned` series the metric contract derives from it with a
/// namespace's `ipvsadm -Ln` listing.
struct ConnectionListing: Sendable {
    struct Entry: Sendable, Hashable {
        /// `TCP`, `UDP`, `SCTP`, `IP` (a firewall-mark template), ...
        var protocolName: String
        var state: String
        var virtualAddress: String
        var virtualPort: Int
        var destinationAddress: String
        var destinationPort: Int
    }

    /// Entries with the number of lines of each.
    var entries: [Entry: Int]

    /// `IPVS connection entries`, the column header, then
    /// `TCP 01:51  TIME_WAIT   10.0.0.1:54338     10.0.0.1:80        10.9.9.9:8080`.
    init(_ text: String, source: String) throws(IPVSAdmParseError) {
        var entries: [Entry: Int] = [:]
        let lines = text.split(separator: "\n")
        guard lines.count >= 2, lines[0] == "IPVS connection entries", lines[1].hasPrefix("pro expire state") else {
            throw IPVSAdmParseError(
                source: source, line: 1, text: String(text.prefix(80)),
                reason: "expected ipvsadm -Lnc's two header lines")
        }
        for (index, line) in lines.enumerated().dropFirst(2) {
            let fields = line.split(separator: " ")
            guard fields.count >= 6, let virtual = Self.endpoint(fields[4]), let destination = Self.endpoint(fields[5])
            else {
                throw IPVSAdmParseError(
                    source: source, line: index + 1, text: String(line),
                    reason: "expected 'PRO EXPIRE STATE SOURCE VIRTUAL DESTINATION'")
            }
            let entry = Entry(
                protocolName: String(fields[0]), state: String(fields[2]), virtualAddress: virtual.address,
                virtualPort: virtual.port, destinationAddress: destination.address, destinationPort: destination.port)
            entries[entry, default: 0] += 1
        }
        self.entries = entries
    }

    /// `10.0.0.1:80` or `[2001:db8::1]:80`.
    static func endpoint(_ text: Substring) -> (address: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var address = text[..<colon]
        if address.hasPrefix("[") && address.hasSuffix("]") { address = address.dropFirst().dropLast() }
        return (String(address), port)
    }

    /// The firewall mark a template of a mark service carries as its address (first four bytes).
    static func mark(_ address: String) -> UInt32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let family = address.contains(":") ? AF_INET6 : AF_INET
        guard inet_pton(family, address, &bytes) == 1 else { return nil }
        return bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The expected series: every entry under its service, real server and state; the entries
    /// whose real server is not in the service, has weight 0, or that have no service, again
    /// as orphaned. An entry belongs to the service of its protocol, address and port; an entry
    /// of a firewall-mark service to the mark whose MARK rule names its port (or, as a template,
    /// that carries the mark), or else to a mark service with its real server.
    func series(_ truth: NamespaceTruth, before: ConnectionListing?) -> [ExpectedSeries] {
        typealias Service = (key: IPVSAdmServiceKey, scheduler: String, destinations: [IPVSAdmDestination])
        let services: [Service] = truth.list.services.map {
            ($0.key, $0.attributes?.scheduler ?? "", $0.destinations)
        }
        func destination(_ service: Service, _ entry: Entry) -> IPVSAdmDestination? {
            service.destinations.first {
                $0.address == entry.destinationAddress
                    && ($0.port == entry.destinationPort || (service.key.fwmark != nil && $0.port == 0))
            }
        }
        func service(_ entry: Entry) -> Service? {
            let family = entry.virtualAddress.contains(":") ? "inet6" : "inet"
            if let found = services.first(where: {
                $0.key.fwmark == nil && $0.key.kind.rawValue == entry.protocolName.lowercased()
                    && $0.key.address == entry.virtualAddress && $0.key.port == entry.virtualPort
            }) {
                return found
            }
            let marks = services.filter { $0.key.fwmark != nil && $0.key.family == family }
            if entry.protocolName == "IP", let mark = Self.mark(entry.virtualAddress),
                let found = marks.first(where: { $0.key.fwmark == mark })
            {
                return found
            }
            let published = marks.filter { truth.markPorts[$0.key.fwmark!] == entry.virtualPort }
            if let found = published.first(where: { destination($0, entry) != nil }) ?? published.first {
                return found
            }
            return marks.first { destination($0, entry) != nil }
        }
        var counts: [SeriesKey: (after: UInt64, before: UInt64)] = [:]
        func add(_ listing: ConnectionListing, after: Bool) {
            for (entry, count) in listing.entries {
                let found = service(entry)
                var labels: Labels
                if let found {
                    labels = truth.serviceLabels(found.key, scheduler: found.scheduler)
                } else {
                    let template = entry.protocolName == "IP"
                    labels = Labels([
                        "namespace": truth.path, "family": entry.virtualAddress.contains(":") ? "inet6" : "inet",
                        "protocol": template ? "" : entry.protocolName.lowercased(),
                        "address": template ? "" : entry.virtualAddress,
                        "port": template ? "" : String(entry.virtualPort),
                        "fwmark": template ? Self.mark(entry.virtualAddress).map(String.init) ?? "" : "",
                        "scheduler": "",
                    ])
                }
                labels = labels.merging([
                    "destination_address": entry.destinationAddress, "destination_port": String(entry.destinationPort),
                    "state": entry.state,
                ])
                var names = ["ipvs_connection_entries"]
                let server = found.flatMap { destination($0, entry) }
                if server == nil || server?.numbers.first == 0 { names.append("ipvs_connection_entries_orphaned") }
                for name in names {
                    let key = SeriesKey(name: name, labels: labels)
                    if after {
                        counts[key, default: (0, 0)].after += UInt64(count)
                    } else {
                        counts[key, default: (0, 0)].before += UInt64(count)
                    }
                }
            }
        }
        add(self, after: true)
        add(before ?? self, after: false)
        return counts.map { key, value in
            ExpectedSeries(
                name: key.name, labels: key.labels, value: .reading(after: value.after, before: value.before),
                origin: "\(truth.name) ipvsadm -Lnc")
        }
    }
}
