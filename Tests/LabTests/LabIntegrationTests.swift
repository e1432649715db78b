import Exposition
import Foundation
import TestSupport
import Testing

/// `ipvs-push dump` against a real kernel IPVS (user-mode Linux, Lab/): every number of
/// every service and real server in two namespaces, compared with ipvsadm read around the
/// dump, and the documented error cases. The lab boots once per test run (``LabRun``).
@Suite("IPVS lab: ipvs-push dump against ipvsadm")
struct LabIntegrationTests {
    /// The exit status `dump` documents for "IPVS could not be read in at least one namespace".
    static let collectionFailed: Int32 = 69

    /// With `connectionStates` (the integration scenario's dumps count the connection table),
    /// the truths include `ipvsadm -Lnc`.
    static func truths(_ results: LabResults, truth: String, connectionStates: Bool = false) throws
        -> [NamespaceTruth]
    {
        try results.namespaces().map {
            try NamespaceTruth(
                results: results, truth: truth, name: $0.name, path: $0.path, connectionStates: connectionStates)
        }
    }

    static func parse(_ results: LabResults, _ file: String, format: ExpositionFormat? = nil) throws
        -> ParsedExposition
    {
        try ExpositionParser.parse(try results.bytes(file), source: results.path(file), format: format)
    }

    /// The value of the series `name` with exactly `labels`, if the dump has it.
    static func value(_ dump: ParsedExposition, _ name: String, _ labels: [String: String]) -> Double? {
        let wanted = Labels(labels.map { Label($0.key, $0.value) })
        return dump.families.lazy.flatMap(\.samples).first { $0.name == name && $0.labels == wanted }?.value
    }

    @Test("dump prints exactly ipvsadm's services, real servers and numbers", arguments: LabDumpCase.all)
    func dumpMatchesIpvsadm(_ dump: LabDumpCase) async throws {
        let results = try await LabRun.results()
        let status = try results.exitStatus(dump.file)
        #expect(status == 0, "dump exited with \(status): \((try? results.text(dump.file + ".stderr")) ?? "")")
        #expect(try results.text(dump.file + ".stderr").isEmpty, "dump wrote to stderr")
        let parsed = try Self.parse(results, dump.file, format: dump.format)
        let problems = try DumpComparison(
            truths: try Self.truths(results, truth: dump.truth, connectionStates: true)
        ).problems(in: parsed)
        let capture = try results.environment("\(dump.truth)/capture.env")
        let listed = problems.prefix(80).joined(separator: "\n")
        let file = results.path(dump.file)
        #expect(problems.isEmpty, "\(problems.count) differences between \(file) and ipvsadm (\(capture)):\n\(listed)")
    }

    @Test("the real kernel's dump passes promtool (text) and the reference OpenMetrics parser")
    func dumpPassesIndependentParsers() async throws {
        let results = try await LabRun.results()
        let text = try FormatCheck.promtool(try results.bytes("dump.prom"))
        #expect(text.status == 0 && text.output.isEmpty, "promtool check metrics \(results.path("dump.prom")): \(text)")
        let openMetrics = try FormatCheck.openMetrics(try results.bytes("dump.om"))
        #expect(openMetrics.status == 0, "OpenMetrics reference parser on \(results.path("dump.om")): \(openMetrics)")
    }

    @Test("both formats carry the same series and values")
    func formatsAgree() async throws {
        let results = try await LabRun.results()
        func series(_ file: String, _ format: ExpositionFormat) throws -> [SeriesKey: Double] {
            var values: [SeriesKey: Double] = [:]
            for family in try Self.parse(results, file, format: format).families
            where family.name != "ipvs_collect_duration_seconds" {
                for sample in family.samples {
                    values[SeriesKey(name: sample.name, labels: sample.labels)] = sample.value
                }
            }
            return values
        }
        let text = try series("dump.prom", .prometheus)
        let openMetrics = try series("dump.om", .openMetrics)
        let onlyText = Set(text.keys).subtracting(openMetrics.keys).map(\.description).sorted()
        let onlyOpenMetrics = Set(openMetrics.keys).subtracting(text.keys).map(\.description).sorted()
        #expect(onlyText.isEmpty, "only in dump.prom: \(onlyText.prefix(20))")
        #expect(onlyOpenMetrics.isEmpty, "only in dump.om: \(onlyOpenMetrics.prefix(20))")
        // Rates are frozen in the lab (run_estimation=0), so even they must agree.
        let differing = text.filter { openMetrics[$0.key] != $0.value }.map { "\($0.key): \($0.value)" }
        #expect(differing.isEmpty, "values differ: \(differing.prefix(20))")
    }

    /// Guards the ground truth itself: if the scenario stopped producing traffic or objects,
    /// the comparison above would pass on an empty lab.
    @Test("the lab built every kind of object and moved real traffic")
    func labCoverage() async throws {
        let results = try await LabRun.results()
        #expect(try results.environment("traffic.env")["traffic_failed"] == "0")
        let truths = try Self.truths(results, truth: "truth.prom")
        let host = try #require(truths.first { $0.path.isEmpty })
        let ingress = try #require(truths.first { !$0.path.isEmpty })
        #expect(ingress.path == "/var/run/docker/netns/ingress_sbox")

        let keys = host.list.services.map(\.key)
        for kind in [IPVSAdmServiceKey.Kind.tcp, .udp, .sctp, .fwmark] {
            for family in ["inet", "inet6"] {
                #expect(keys.contains { $0.kind == kind && $0.family == family }, "no \(kind) \(family) service")
            }
        }
        let forwarding = Set(host.list.services.flatMap(\.destinations).compactMap(\.forwarding))
        #expect(forwarding == ["Masq", "Route", "Tunnel", "Local", "(null)"])
        let attributes = host.list.services.compactMap(\.attributes)
        #expect(attributes.contains { $0.persistence == 300 && $0.netmask == "255.255.255.0" })
        #expect(attributes.contains { $0.persistence != nil && $0.netmask == "64" })
        #expect(attributes.contains { $0.persistenceEngine == "sip" })
        #expect(attributes.contains { $0.onePacket })
        #expect(attributes.contains { $0.schedulerFlags == ["sh-fallback", "sh-port"] })
        #expect(Set(attributes.map(\.scheduler)).count >= 13, "not every scheduler is used")
        #expect(host.list.services.contains { $0.destinations.isEmpty })
        let limits = host.thresholds.services.flatMap(\.destinations).map(\.numbers)
        #expect(limits.contains { $0[0] > 0 && $0[1] > 0 }, "no real server with both thresholds")
        #expect(host.list.services.flatMap(\.destinations).contains { $0.numbers[0] == 0 }, "no weight-0 server")

        // Traffic: counters of every protocol and family, rates, and connection states.
        func trafficked(_ truth: NamespaceTruth, _ kind: IPVSAdmServiceKey.Kind, _ family: String) -> Bool {
            truth.stats.services.contains { $0.key.kind == kind && $0.key.family == family && $0.numbers[1] > 0 }
        }
        for (kind, family) in [
            (IPVSAdmServiceKey.Kind.tcp, "inet"), (.tcp, "inet6"), (.udp, "inet"), (.udp, "inet6"),
            (.sctp, "inet"), (.sctp, "inet6"),
        ] {
            #expect(trafficked(host, kind, family), "no \(kind) \(family) traffic")
        }
        #expect(trafficked(ingress, .fwmark, "inet"), "no traffic through the ingress firewall marks")
        for truth in [host, ingress] {
            // Packet and byte rates; a connection rate can round down to 0 after a slow burst.
            #expect(truth.rate.services.contains { $0.numbers[1...].allSatisfy { $0 > 0 } }, "\(truth.name): no rates")
            let connections = truth.persistent.services.flatMap(\.destinations).map(\.numbers)
            #expect(connections.contains { $0[2] > 0 }, "\(truth.name): no active connection")
            #expect(connections.contains { $0[3] > 0 }, "\(truth.name): no inactive connection")
        }
        #expect(
            host.persistent.services.flatMap(\.destinations).contains { $0.numbers[1] > 0 },
            "no persistence template")
        #expect(host.rate.services.contains { $0.numbers[0] > 0 }, "no connection rate")
        #expect(ingress.markPorts == [260: 30000, 261: 30001])
        #expect(ingress.list.services.compactMap(\.key.fwmark).sorted() == [260, 261, 262])
    }

    /// Guards the settings' comparison (in ``dumpMatchesIpvsadm``) the same way: both namespaces
    /// must differ from the defaults and from each other, and the daemons must really sync.
    @Test("the lab set timeouts, sysctls and sync daemons per namespace, and the backup got the master's connections")
    func settingsCoverage() async throws {
        let results = try await LabRun.results()
        let truths = try Self.truths(results, truth: "truth.prom")
        let host = try #require(truths.first { $0.path.isEmpty }).settings
        let ingress = try #require(truths.first { !$0.path.isEmpty }).settings
        let defaults = ["tcp": 900, "tcp_fin": 120, "udp": 300]
        #expect(host.timeouts != defaults && ingress.timeouts != defaults && host.timeouts != ingress.timeouts)
        #expect(host.daemons == [NamespaceSettings.Daemon(state: "master", interface: "vh0", syncID: 7)])
        #expect(ingress.daemons == [NamespaceSettings.Daemon(state: "backup", interface: "eth0", syncID: 7)])
        for name in [
            "conn_reuse_mode", "expire_nodest_conn", "expire_quiescent_template", "sloppy_tcp", "sloppy_sctp",
            "schedule_icmp", "ignore_tunneled", "sync_threshold", "sync_period",
        ] {
            #expect(host.sysctls[name] != nil && host.sysctls[name] != ingress.sysctls[name], "\(name)")
        }
        #expect(host.sysctls["run_estimation"] == 0 && ingress.sysctls["run_estimation"] == 0)

        // ipvsadm -Lnc in the ingress (the backup) lists connections to the host's own virtual
        // services, which exist only in the host (the master).
        func virtuals(_ name: String) throws -> Set<String> {
            let lines = try results.text("truth.prom/ipvsadm.\(name).conn").split(separator: "\n")
            return Set(lines.dropFirst(2).compactMap { $0.split(separator: " ").dropFirst(4).first.map(String.init) })
        }
        let hostServices = Set(try #require(truths.first { $0.path.isEmpty }).list.services.map(\.key.address))
        let backup = try virtuals("ingress")
        let synced = backup.filter { hostServices.contains(String($0.split(separator: ":")[0])) }
        #expect(synced.contains("10.0.0.1:80"), "the backup lists no connection of the master's: \(backup.sorted())")
    }

    /// Guards the connection table's comparison (in ``dumpMatchesIpvsadm``): entries of several
    /// states in both namespaces, and the black hole the scenario makes on 10.0.0.17:80 (one real
    /// server removed, one at weight 0, each with a connection open) is in the dump as orphaned.
    @Test("the connection table has several states in both namespaces, and the orphaned entries are counted")
    func connectionTableCoverage() async throws {
        let results = try await LabRun.results()
        let truths = try Self.truths(results, truth: "truth.prom", connectionStates: true)
        for truth in truths {
            let states = Set(try #require(truth.connections).entries.keys.map(\.state))
            #expect(states.count >= 2 && states.contains("ESTABLISHED"), "\(truth.name): states \(states.sorted())")
        }
        let host = try #require(truths.first { $0.path.isEmpty })
        let service = try #require(host.list.services.first { $0.key.address == "10.0.0.17" })
        #expect(service.destinations.map(\.address) == ["10.9.9.9"] && service.destinations[0].numbers[0] == 0)
        let dump = try Self.parse(results, "dump.prom", format: .prometheus)
        for server in ["10.9.9.9", "10.9.9.10"] {
            let labels = [
                "namespace": "", "family": "inet", "protocol": "tcp", "address": "10.0.0.17", "port": "80",
                "fwmark": "", "scheduler": "rr", "destination_address": server, "destination_port": "8080",
                "state": "ESTABLISHED",
            ]
            #expect(Self.value(dump, "ipvs_connection_entries_orphaned", labels) == 1, "\(server)")
            #expect(Self.value(dump, "ipvs_connection_entries", labels) == 1, "\(server)")
        }
    }

    @Test("dump before ip_vs is loaded: exit 69, says to modprobe ip_vs, ipvs_up 0")
    func withoutIPVS() async throws {
        let results = try await LabRun.results()
        #expect(try results.exitStatus("err-no-ipvs") == Self.collectionFailed)
        let stderr = try results.text("err-no-ipvs.stderr")
        #expect(stderr.contains("IPVS") && stderr.contains("modprobe ip_vs"), "stderr: \(stderr)")
        let dump = try Self.parse(results, "err-no-ipvs.stdout")
        #expect(Self.value(dump, "ipvs_up", ["namespace": ""]) == 0)
        #expect(!dump.families.contains { $0.name.hasPrefix("ipvs_service_") }, "services reported without IPVS")
    }

    @Test("dump of a namespace path that does not exist still prints the agent's namespace")
    func nonexistentNamespace() async throws {
        let results = try await LabRun.results()
        try checkFailedNamespace(results, record: "err-nonexistent", path: "/nonexistent", hint: "does not exist")
    }

    @Test("dump of a regular file as namespace still prints the agent's namespace")
    func notANamespace() async throws {
        let results = try await LabRun.results()
        try checkFailedNamespace(
            results, record: "err-not-netns", path: "/run/lab/not-a-namespace", hint: "not a network namespace")
    }

    private func checkFailedNamespace(_ results: LabResults, record: String, path: String, hint: String) throws {
        #expect(try results.exitStatus(record) == Self.collectionFailed)
        let stderr = try results.text("\(record).stderr")
        #expect(stderr.contains(path) && stderr.contains(hint), "stderr: \(stderr)")
        let dump = try Self.parse(results, "\(record).stdout")
        #expect(Self.value(dump, "ipvs_up", ["namespace": path]) == 0)
        #expect(Self.value(dump, "ipvs_up", ["namespace": ""]) == 1)
        let host = try #require(try Self.truths(results, truth: "truth.prom").first { $0.path.isEmpty })
        let services = Double(host.list.services.count)
        #expect(Self.value(dump, "ipvs_services", ["namespace": ""]) == services)
        let info = dump.families.first { $0.name == "ipvs_service_info" }?.samples ?? []
        #expect(Double(info.filter { $0.labels["namespace"] == "" }.count) == services)
        #expect(!info.contains { $0.labels["namespace"] == path })
    }

    @Test("dump without CAP_NET_ADMIN: exit 69 and a hint about the capability")
    func unprivileged() async throws {
        let results = try await LabRun.results()
        #expect(try results.exitStatus("err-unprivileged") == Self.collectionFailed)
        let stderr = try results.text("err-unprivileged.stderr")
        #expect(stderr.contains("CAP_NET_ADMIN"), "stderr: \(stderr)")
        let dump = try Self.parse(results, "err-unprivileged.stdout")
        #expect(Self.value(dump, "ipvs_up", ["namespace": ""]) == 0)
    }
}
