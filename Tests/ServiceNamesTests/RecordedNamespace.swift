import Collector

/// A namespace as the lab records it (`ipvsadm -Ln`, `iptables-save -t mangle`), turned
/// into the snapshot the collector would make: its firewall-mark services, and the
/// ports and addresses its mangle MARK rules give each mark.
enum RecordedNamespace {
    static func snapshot(path: String, ipvsadmList: String, mangle: String) -> NamespaceSnapshot {
        let marks = ipvsadmList.split(whereSeparator: \.isNewline).compactMap { line -> UInt32? in
            let fields = line.split(separator: " ")
            guard fields.count >= 2, fields[0] == "FWM" else { return nil }
            return UInt32(fields[1])
        }
        return NamespaceSnapshot(
            namespace: path, info: IPVSInfo(versionCode: 0x10201, connectionTableSize: 4096),
            services: marks.map { VirtualService(family: .inet, firewallMark: $0, scheduler: "rr") },
            markPorts: FirewallMarkRules.parse(mangle), markAddresses: markAddresses(mangle))
    }

    /// Mark → the `-d ADDRESS/32` of the MARK rules setting it, sorted and unique (what
    /// the collector reads into ``NamespaceSnapshot/markAddresses``).
    static func markAddresses(_ mangle: String) -> [UInt32: [String]] {
        var addresses: [UInt32: Set<String>] = [:]
        for line in mangle.split(whereSeparator: \.isNewline) where line.hasPrefix("-A ") {
            let tokens = line.split(separator: " ")
            guard let d = tokens.firstIndex(of: "-d"), d + 1 < tokens.count, tokens[d + 1].hasSuffix("/32"),
                d == 0 || tokens[d - 1] != "!",
                let j = tokens.firstIndex(of: "-j"), j + 1 < tokens.count, tokens[j + 1] == "MARK",
                let set = tokens.firstIndex(where: { $0 == "--set-xmark" || $0 == "--set-mark" }),
                set + 1 < tokens.count,
                let markText = tokens[set + 1].split(separator: "/").first
            else { continue }
            let mark = markText.hasPrefix("0x") ? UInt32(markText.dropFirst(2), radix: 16) : UInt32(markText)
            guard let mark else { continue }
            addresses[mark, default: []].insert(String(tokens[d + 1].dropLast(3)))
        }
        return addresses.mapValues { $0.sorted() }
    }
}
