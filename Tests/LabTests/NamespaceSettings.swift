import Exposition

/// A namespace's IPVS settings as ipvsadm and sysctl(8) print them, read in the namespace:
/// `ipvsadm -L --timeout`, `ipvsadm -L --daemon` and `sysctl net.ipv4.vs`. Anything the
/// parsers do not recognise is an error naming the line, so a format change cannot make a
/// comparison pass on nothing.
struct NamespaceSettings: Sendable, Equatable {
    /// `tcp`, `tcp_fin`, `udp` → seconds.
    var timeouts: [String: Int]
    var daemons: [Daemon]
    /// The sysctls the metric contract covers → value (`sync_threshold`'s period as `sync_period`).
    var sysctls: [String: Int64]

    struct Daemon: Sendable, Equatable {
        var state: String
        var interface: String
        var syncID: Int
    }

    /// The sysctls of `net.ipv4.vs` the contract leaves out: the debug level, the schedulers'
    /// own (present while lblc/lblcr are loaded) and the CPU list of newer kernels.
    static let uncovered: Set<String> = ["debug_level", "lblc_expiration", "lblcr_expiration", "est_cpulist"]

    init(timeout: String, daemon: String, sysctl: String, source: String) throws(IPVSAdmParseError) {
        timeouts = try Self.timeouts(timeout, source: source)
        daemons = try Self.daemons(daemon, source: source)
        sysctls = try Self.sysctls(sysctl, source: source)
    }

    /// `Timeout (tcp tcpfin udp): 900 120 300`.
    static func timeouts(_ text: String, source: String) throws(IPVSAdmParseError) -> [String: Int] {
        let prefix = "Timeout (tcp tcpfin udp): "
        let lines = text.split(separator: "\n")
        guard lines.count == 1, lines[0].hasPrefix(prefix) else {
            throw IPVSAdmParseError(
                source: source, line: 1, text: String(text.prefix(80)), reason: "expected one '\(prefix)T F U' line")
        }
        let numbers = lines[0].dropFirst(prefix.count).split(separator: " ").compactMap { Int($0) }
        guard numbers.count == 3 else {
            throw IPVSAdmParseError(source: source, line: 1, text: String(lines[0]), reason: "expected three numbers")
        }
        return ["tcp": numbers[0], "tcp_fin": numbers[1], "udp": numbers[2]]
    }

    /// `master sync daemon (mcast=eth0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)`,
    /// one line per daemon; nothing when none runs.
    static func daemons(_ text: String, source: String) throws(IPVSAdmParseError) -> [Daemon] {
        var daemons: [Daemon] = []
        for (index, line) in text.split(separator: "\n").enumerated() {
            let words = line.split(separator: " ", maxSplits: 3)
            let fields =
                words.count == 4 && words[3].hasPrefix("(") && words[3].hasSuffix(")")
                ? words[3].dropFirst().dropLast().split(separator: ",").map { $0.drop { $0 == " " } } : []
            let interface = fields.first { $0.hasPrefix("mcast=") }?.dropFirst(6)
            let syncID = fields.first { $0.hasPrefix("syncid=") }.flatMap { Int($0.dropFirst(7)) }
            guard words.count == 4, ["master", "backup"].contains(words[0]), words[1] == "sync", words[2] == "daemon",
                let interface, let syncID
            else {
                throw IPVSAdmParseError(
                    source: source, line: index + 1, text: String(line),
                    reason: "expected 'master|backup sync daemon (mcast=IF, syncid=N, ...)'")
            }
            daemons.append(Daemon(state: String(words[0]), interface: String(interface), syncID: syncID))
        }
        return daemons
    }

    /// `net.ipv4.vs.NAME = VALUE` lines; every integer sysctl but ``uncovered``.
    static func sysctls(_ text: String, source: String) throws(IPVSAdmParseError) -> [String: Int64] {
        var sysctls: [String: Int64] = [:]
        for (index, line) in text.split(separator: "\n").enumerated() {
            let parts = line.split(separator: " = ", maxSplits: 1)
            guard parts.count == 2, parts[0].hasPrefix("net.ipv4.vs.") else {
                throw IPVSAdmParseError(
                    source: source, line: index + 1, text: String(line), reason: "expected 'net.ipv4.vs.NAME = VALUE'")
            }
            let name = String(parts[0].dropFirst("net.ipv4.vs.".count))
            guard !uncovered.contains(name) else { continue }
            let values = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int64($0) }
            switch (name, values.count) {
            case ("sync_threshold", 2):
                sysctls["sync_threshold"] = values[0]
                sysctls["sync_period"] = values[1]
            case (_, 1) where name != "sync_threshold":
                sysctls[name] = values[0]
            default:
                throw IPVSAdmParseError(
                    source: source, line: index + 1, text: String(line), reason: "unexpected value of \(name)")
            }
        }
        guard !sysctls.isEmpty else {
            throw IPVSAdmParseError(
                source: source, line: 1, text: String(text.prefix(80)), reason: "no net.ipv4.vs sysctl (ip_vs loaded?)")
        }
        return sysctls
    }

    /// The series the contract derives from these settings in namespace `path`.
    func series(namespace path: String, origin: String) -> [ExpectedSeries] {
        var series: [ExpectedSeries] = []
        for (name, seconds) in timeouts {
            series.append(
                ExpectedSeries(
                    name: "ipvs_timeout_seconds", labels: Labels(["namespace": path, "protocol": name]),
                    value: .exact(Double(seconds)), origin: "\(origin) ipvsadm -L --timeout"))
        }
        for daemon in daemons {
            series.append(
                ExpectedSeries(
                    name: "ipvs_sync_daemon_info",
                    labels: Labels([
                        "namespace": path, "state": daemon.state, "interface": daemon.interface,
                        "sync_id": String(daemon.syncID),
                    ]), value: .exact(1), origin: "\(origin) ipvsadm -L --daemon"))
        }
        for (name, value) in sysctls {
            series.append(
                ExpectedSeries(
                    name: "ipvs_sysctl", labels: Labels(["namespace": path, "name": name]),
                    value: .exact(Double(value)),
                    origin: "\(origin) sysctl net.ipv4.vs.\(name)"))
        }
        return series
    }
}
