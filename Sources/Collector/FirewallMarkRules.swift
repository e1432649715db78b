/// Finds which published ports and virtual IPs each firewall mark stands for, from the
/// `mangle` table as `iptables-save` prints it.
///
/// Docker Swarm's ingress publishes a service's ports as one IPVS firewall-mark
/// service, with rules such as
/// `-A PREROUTING -p tcp -m tcp --dport 30000 -j MARK --set-xmark 0x104/0xffffffff`; each
/// overlay network's load balancer marks a service's virtual IP with
/// `-A INPUT -d 10.0.1.2/32 -j MARK --set-xmark 0x101/0xffffffff`.
/// Both iptables backends (legacy and nft) print this same syntax; the legacy tables are
/// read in-process (``LegacyMangleTable``), so only iptables-nft-save's text is parsed at run time.
public enum FirewallMarkRules {
    /// The destination ports and addresses of the rules that set each mark. Ports of a
    /// range or a negation are ignored, and so are addresses that are negated or not `/32`.
    public static func parse(_ text: String) -> FirewallMarks {
        var marks = FirewallMarksBuilder()
        var inMangle = false
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("*") {
                inMangle = line == "*mangle"
                continue
            }
            guard inMangle, line.hasPrefix("-A ") else { continue }
            let tokens = tokenize(line)
            guard let rule = markRule(tokens) else { continue }
            marks.add(mark: rule.mark, ports: rule.ports, address: rule.address)
        }
        return marks.result
    }

    private static func markRule(_ tokens: [Substring]) -> (mark: UInt32, ports: [UInt16], address: String?)? {
        var mark: UInt32?
        var isMarkTarget = false
        var ports: [UInt16] = []
        var address: String?
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
            case "-d", "--destination", "--dst":
                if !negated, let next, next.hasSuffix("/32") || !next.contains("/"),
                    let parsed = IPAddress(String(next.split(separator: "/")[0])), parsed.family == .inet
                {
                    address = parsed.description
                }
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
        return (mark, ports, address)
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
    static func readCurrentNamespace() -> FirewallMarks {
        var marks = LegacyMangleTable.readCurrentNamespace() ?? FirewallMarks()
        if let program = ChildProcess.find("iptables-nft-save") ?? ChildProcess.find("iptables-save"),
            let output = ChildProcess.run(program, ["-t", "mangle"]), output.status == 0
        {
            marks = marks.merged(with: parse(String(decoding: output.standardOutput, as: UTF8.self)))
        }
        return marks
    }
}
