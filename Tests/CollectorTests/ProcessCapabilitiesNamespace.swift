import Collector
import Foundation
import Privileges
import TestSupport

/// A named network namespace (`ip netns add`) with mangle MARK rules in both iptables
/// backends, for the capability tests; removed by ``remove()``.
struct ProcessCapabilitiesNamespace {
    let name: String
    var path: String { "/run/netns/\(name)" }

    /// The marks the rules below set, as the agent should read them: 260 and 261 from the
    /// legacy table (a plain port, a multiport list with a range left out), 270 from nft;
    /// the virtual IPs of 257 (legacy, INPUT and OUTPUT) and 271 (nft), as Docker marks them
    /// in a load-balancer namespace. The negated-port rule (262), the range-only rule (263),
    /// the negated address (264) and the /24 (265) give neither port nor address.
    static let expectedMarks = FirewallMarks(
        ports: [260: [30000], 261: [40, 60], 270: [31000]], addresses: [257: ["10.0.1.2"], 271: ["10.0.1.3"]])

    static let legacyRules = [
        "-A PREROUTING -p tcp -m tcp --dport 30000 -j MARK --set-mark 260",
        "-A PREROUTING -p udp -m multiport --dports 40,50:55,60 -j MARK --set-xmark 0x105/0xff",
        "-A PREROUTING -p tcp -m tcp ! --dport 7 -j MARK --set-mark 262",
        "-A PREROUTING -p tcp -m tcp --dport 1000:2000 -j MARK --set-mark 263",
        "-A PREROUTING -p tcp -m tcp --dport 22 -j ACCEPT",
        "-A INPUT -d 10.0.1.2/32 -j MARK --set-xmark 0x101/0xffffffff",
        "-A OUTPUT -d 10.0.1.2/32 -j MARK --set-xmark 0x101/0xffffffff",
        "-A INPUT ! -d 10.0.1.9/32 -j MARK --set-mark 264",
        "-A INPUT -d 10.0.2.0/24 -j MARK --set-mark 265",
    ]
    static let nftRules = [
        "-A PREROUTING -p tcp -m tcp --dport 31000 -j MARK --set-mark 270",
        "-A INPUT -d 10.0.1.3/32 -j MARK --set-mark 271",
    ]

    /// Creates the namespace; with `rules`, adds them through iptables-legacy and iptables-nft.
    init(rules: Bool) throws {
        name = "ipvs-push-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try Self.run(["ip", "netns", "add", name])
        guard rules else { return }
        for rule in Self.legacyRules {
            try Self.run(["ip", "netns", "exec", name, "iptables-legacy", "-t", "mangle"] + Self.words(rule))
        }
        for rule in Self.nftRules {
            try Self.run(["ip", "netns", "exec", name, "iptables-nft", "-t", "mangle"] + Self.words(rule))
        }
    }

    func remove() {
        try? Self.run(["ip", "netns", "delete", name])
    }

    /// `iptables-legacy-save -t mangle` inside the namespace.
    func legacySave() throws -> String {
        try ShellCommand.check(["ip", "netns", "exec", name, "iptables-legacy-save", "-t", "mangle"])
    }

    private static func words(_ rule: String) -> [String] {
        rule.split(separator: " ").map(String.init)
    }

    private static func run(_ arguments: [String]) throws {
        try ShellCommand.check(arguments)
    }
}
