/// Reads the output of `ipvsadm -Ln` in its listing modes (plain, `--stats --exact`,
/// `--rate --exact`, `--thresholds`, `--persistent-conn`): TCP, UDP, SCTP and FWM services,
/// IPv6 in brackets (`[2001:db8::1]:80`, `FWM  2 IPv6`), forwarding names, scheduler flags,
/// persistence, netmask, persistence engine and one-packet scheduling. Anything else is an
/// error naming the line, so a change in ipvsadm's format cannot slip through unnoticed.
enum IPVSAdmParser {
    static func parse(_ text: String, mode: IPVSAdmMode, source: String) throws(IPVSAdmParseError) -> IPVSAdmListing {
        var version: String?
        var tableSize: Int?
        var services: [IPVSAdmService] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            let number = index + 1
            func fail(_ reason: String) -> IPVSAdmParseError {
                IPVSAdmParseError(source: source, line: number, text: line, reason: reason)
            }
            let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = tokens.first else { continue }
            if line.hasPrefix("IP Virtual Server version ") {
                guard tokens.count == 6, let size = tokens[5].wrapped("(size=", ")").flatMap({ Int($0) }) else {
                    throw fail("expected 'IP Virtual Server version V (size=N)'")
                }
                version = tokens[4]
                tableSize = size
            } else if version == nil {
                throw fail("no 'IP Virtual Server version' line before this one (is ip_vs loaded? did ipvsadm fail?)")
            } else if first == "Prot" || (first == "->" && tokens.count > 1 && tokens[1] == "RemoteAddress:Port") {
                continue
            } else if first == "->" {
                guard !services.isEmpty else { throw fail("a real server before any service") }
                services[services.count - 1].destinations.append(
                    try destination(Array(tokens.dropFirst()), mode: mode, fail: fail))
            } else {
                services.append(try service(tokens, mode: mode, fail: fail))
            }
        }
        guard let version, let tableSize else {
            throw IPVSAdmParseError(
                source: source, line: 1, text: String(text.prefix(80)),
                reason: "no 'IP Virtual Server version' line (is ip_vs loaded? did ipvsadm fail?)")
        }
        return IPVSAdmListing(mode: mode, version: version, connectionTableSize: tableSize, services: services)
    }

    private static func service(
        _ tokens: [String], mode: IPVSAdmMode, fail: (String) -> IPVSAdmParseError
    ) throws(IPVSAdmParseError) -> IPVSAdmService {
        var rest = tokens[...]
        let protocolName = rest.removeFirst()
        let key: IPVSAdmServiceKey
        switch protocolName {
        case "FWM":
            guard let markText = rest.popFirst(), let mark = UInt32(markText) else { throw fail("no firewall mark") }
            var family = "inet"
            if rest.first == "IPv6" {
                rest.removeFirst()
                family = "inet6"
            }
            key = IPVSAdmServiceKey(kind: .fwmark, family: family, address: "", port: 0, fwmark: mark)
        case "TCP", "UDP", "SCTP":
            guard let endpoint = rest.popFirst().flatMap(parseEndpoint) else { throw fail("no ADDRESS:PORT") }
            key = IPVSAdmServiceKey(
                kind: IPVSAdmServiceKey.Kind(rawValue: protocolName.lowercased())!, family: endpoint.family,
                address: endpoint.address, port: endpoint.port, fwmark: nil)
        default:
            throw fail("unknown service protocol '\(protocolName)'")
        }
        if !mode.servicesCarryAttributes {
            let numbers = rest.compactMap { UInt64($0) }
            guard numbers.count == 5, rest.count == 5 else { throw fail("expected 5 numbers after the service") }
            return IPVSAdmService(key: key, attributes: nil, numbers: numbers, destinations: [])
        }
        guard let scheduler = rest.popFirst() else { throw fail("no scheduler") }
        var attributes = IPVSAdmServiceAttributes(scheduler: scheduler)
        while let word = rest.popFirst() {
            switch word {
            case _ where word.hasPrefix("(") && word.hasSuffix(")"):
                attributes.schedulerFlags = word.dropFirst().dropLast().split(separator: ",").map(String.init)
            case "persistent":
                guard let value = rest.popFirst().flatMap({ Int($0) }) else { throw fail("persistent without seconds") }
                attributes.persistence = value
            case "mask":
                guard let value = rest.popFirst() else { throw fail("mask without a value") }
                attributes.netmask = value
            case "pe":
                guard let value = rest.popFirst() else { throw fail("pe without a name") }
                attributes.persistenceEngine = value
            case "ops":
                attributes.onePacket = true
            default:
                throw fail("unknown service attribute '\(word)'")
            }
        }
        return IPVSAdmService(key: key, attributes: attributes, numbers: [], destinations: [])
    }

    private static func destination(
        _ tokens: [String], mode: IPVSAdmMode, fail: (String) -> IPVSAdmParseError
    ) throws(IPVSAdmParseError) -> IPVSAdmDestination {
        var rest = tokens[...]
        guard let endpoint = rest.popFirst().flatMap(parseEndpoint) else { throw fail("no real server ADDRESS:PORT") }
        var forwarding: String?
        if mode == .list {
            guard let name = rest.popFirst() else { throw fail("no forwarding method") }
            forwarding = name
        }
        let numbers = rest.compactMap { UInt64($0) }
        guard numbers.count == mode.destinationColumns, rest.count == numbers.count else {
            throw fail("expected \(mode.destinationColumns) numbers after the real server")
        }
        return IPVSAdmDestination(
            address: endpoint.address, port: endpoint.port, forwarding: forwarding, numbers: numbers)
    }

    /// `10.0.0.1:80` or `[2001:db8::1]:80` into the address, its family and the port.
    static func parseEndpoint(_ text: String) -> (address: String, family: String, port: Int)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let address = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":"), let port = Int(after.dropFirst()) else { return nil }
            return (address, "inet6", port)
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        return (String(text[..<colon]), "inet", port)
    }
}

extension String {
    /// The text between `prefix` and `suffix` when self is exactly `prefix + x + suffix`.
    fileprivate func wrapped(_ prefix: String, _ suffix: String) -> String? {
        guard hasPrefix(prefix), hasSuffix(suffix), count >= prefix.count + suffix.count else { return nil }
        return String(dropFirst(prefix.count).dropLast(suffix.count))
    }
}
