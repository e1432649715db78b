/// Finds which published port each firewall mark stands for, from the `mangle` table
/// as `iptables-save` prints it.
///
/// Docker Swarm's ingress publishes a service's ports as one IPVS firewall-mark
/// service, with rules such as
/// `-A PREROUTING -p tcp -m tcp --dport 30000 -j MARK --set-xmark 0x104/0xffffffff`.
/// Both iptables backends (legacy and nft) print this same syntax; the legacy tables are
/// read in-process (``LegacyMangleTable``), so only iptables-nft-save's text is parsed at run time.
public enum FirewallMarkRules {
    /// Mark → the destination ports of the rules that set it, sorted and unique.
    /// Rules without a single destination port (a range, a negation, none) are ignored.
    public static func parse(_ text: String) -> [UInt32: [UInt16]] {
        var ports: [UInt32: Set<UInt16>] = [:]
        var inMangle = false
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("*") {
                inMangle = line == "*mangle"
                continue
            }
            guard inMangle, line.hasPrefix("-A ") else { continue }
            let tokens = tokenize(line)
            guard let (mark, rulePorts) = markAndPorts(tokens), !rulePorts.isEmpty else { continue }
            ports[mark, default: []].formUnion(rulePorts)
        }
        return ports.mapValues { $0.sorted() }
    }

    private static func markAndPorts(_ tokens: [Substring]) -> (UInt32, [UInt16])? {
        var mark: UInt32?
        var isMarkTarget = false
        var ports: [UInt16] = []
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            let next = index + 1 < tokens.count ? tokens[index + 1] : nil
            let negated = index > 0 && tokens[index - 1] == "!"
            switch token {
            case "-j", "--jump":
                isMarkTarget = next == "MARK"
            case "--set-xmark", "--set-mark":
                if let next, let value = parseNumber(next.split(separator: "/").first ?? "") { mark = value }
            case "--dport", "--destination-port":
                if !negated, let next, let port = UInt16(next) { ports.append(port) }
            case "--dports", "--destination-ports":
                if !negated, let next {
                    ports.append(contentsOf: next.split(separator: ",").compactMap { UInt16($0) })
                }
            default:
                break
            }
            index += 1
        }
        guard isMarkTarget, let mark, mark != 0 else { return nil }
        return (mark, ports)
    }

    private static func parseNumber(_ text: Substring) -> UInt32? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt32(text.dropFirst(2), radix: 16) }
        return UInt32(text)
    }

    /// Splits on spaces, keeping `"quoted comments"` as one token.
    private static func tokenize(_ line: Substring) -> [Substring] {
        var tokens: [Substring] = []
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex, line[index] == " " { index = line.index(after: index) }
            guard index < line.endIndex else { break }
            let start = index
            if line[index] == "\"" {
                index = line.index(after: index)
                while index < line.endIndex, line[index] != "\"" {
                    if line[index] == "\\" { index = line.index(after: index) }
                    if index < line.endIndex { index = line.index(after: index) }
                }
                if index < line.endIndex { index = line.index(after: index) }
            } else {
                while index < line.endIndex, line[index] != " " { index = line.index(after: index) }
            }
            tokens.append(line[start..<index])
        }
        return tokens
    }

    /// Reads the mangle rules of the calling thread's network namespace from both iptables
    /// backends and merges what they find: the legacy tables in-process
    /// (``LegacyMangleTable``, CAP_NET_ADMIN only), the nft ones through iptables-nft-save
    /// (plain iptables-save where only that is installed), a child process that inherits the
    /// thread's namespace and, through the ambient set, its CAP_NET_ADMIN.
    static func readCurrentNamespace() -> [UInt32: [UInt16]] {
        var merged = LegacyMangleTable.readCurrentNamespace() ?? [:]
        if let program = ChildProcess.find("iptables-nft-save") ?? ChildProcess.find("iptables-save"),
            let output = ChildProcess.run(program, ["-t", "mangle"]), output.status == 0
        {
            for (mark, ports) in parse(String(decoding: output.standardOutput, as: UTF8.self)) {
                merged[mark, default: []].formUnion(ports)
            }
        }
        return merged.mapValues { $0.sorted() }
    }
}
