/// The published ports behind firewall marks, read from `iptables-save -t mangle` output the
/// way Docker Swarm writes its ingress rules:
/// `-A PREROUTING -p tcp -m tcp --dport 30000 -j MARK --set-xmark 0x104/0xffffffff`.
/// This is the lab's ground truth for the `port` label of fwmark services.
enum MangleMarkRules {
    /// Mark to port; the first rule for a mark wins.
    static func ports(fromSave text: String) -> [UInt32: Int] {
        var ports: [UInt32: Int] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("-A PREROUTING ") {
            let words = line.split(separator: " ").map(String.init)
            guard let port = value(after: "--dport", in: words).flatMap({ Int($0) }),
                let mark = markValue(words)
            else { continue }
            if ports[mark] == nil { ports[mark] = port }
        }
        return ports
    }

    private static func value(after option: String, in words: [String]) -> String? {
        guard let index = words.firstIndex(of: option), index + 1 < words.count else { return nil }
        return words[index + 1]
    }

    /// `--set-xmark 0x104/0xffffffff` (what iptables-save prints) or `--set-mark 260`.
    private static func markValue(_ words: [String]) -> UInt32? {
        guard let text = value(after: "--set-xmark", in: words) ?? value(after: "--set-mark", in: words) else {
            return nil
        }
        let mark = text.split(separator: "/").first.map(String.init) ?? text
        if mark.hasPrefix("0x") { return UInt32(mark.dropFirst(2), radix: 16) }
        return UInt32(mark)
    }
}
