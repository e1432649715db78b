import Collector

/// A namespace as the lab records it (`ipvsadm -Ln`, `iptables-save -t mangle`), turned
/// into the snapshot the collector would make: its firewall-mark services, and the
/// ports and addresses its mangle MARK rules give each mark (read by the collector's own
/// parser, as from iptables-nft-save).
enum RecordedNamespace {
    static func snapshot(path: String, ipvsadmList: String, mangle: String) -> NamespaceSnapshot {
        let marks = ipvsadmList.split(whereSeparator: \.isNewline).compactMap { line -> UInt32? in
            let fields = line.split(separator: " ")
            guard fields.count >= 2, fields[0] == "FWM" else { return nil }
            return UInt32(fields[1])
        }
        let rules = FirewallMarkRules.parse(mangle)
        return NamespaceSnapshot(
            namespace: path, info: IPVSInfo(versionCode: 0x10201, connectionTableSize: 4096),
            services: marks.map { VirtualService(family: .inet, firewallMark: $0, scheduler: "rr") },
            markPorts: rules.ports, markAddresses: rules.addresses)
    }
}
