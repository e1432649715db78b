import Exposition
import Foundation
import Testing

/// The comparison the lab tests rely on must itself catch every kind of difference.
@Suite struct DumpComparisonTests {
    /// A lab output directory holding the fixtures as one namespace ("" = the agent's own).
    private func fixtureResults(statsBefore: String = IPVSAdmFixtures.stats) throws -> LabResults {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-labtests-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("truth"), withIntermediateDirectories: true)
        let files = [
            "truth/ipvsadm.host.list": IPVSAdmFixtures.list,
            "truth/ipvsadm.host.thresholds": IPVSAdmFixtures.thresholds,
            "truth/ipvsadm.host.stats": IPVSAdmFixtures.stats,
            "truth/ipvsadm.host.stats.before": statsBefore,
            "truth/ipvsadm.host.rate": IPVSAdmFixtures.rate,
            "truth/ipvsadm.host.rate.before": IPVSAdmFixtures.rate,
            "truth/ipvsadm.host.persistent-conn": IPVSAdmFixtures.persistentConnections,
            "truth/ipvsadm.host.persistent-conn.before": IPVSAdmFixtures.persistentConnections,
            "truth/ipvsadm.host.timeout": "Timeout (tcp tcpfin udp): 1000 110 310\n",
            "truth/ipvsadm.host.daemon": Self.daemons,
            "truth/sysctl.host": Self.sysctls,
            "mangle.host": IPVSAdmFixtures.mangle,
            "namespaces.tsv": "host\t\n",
        ]
        for (name, text) in files {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return LabResults(directory: directory)
    }

    static let daemons = """
        master sync daemon (mcast=vh0, syncid=7, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)
        backup sync daemon (mcast=vh0, syncid=9, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)

        """
    static let sysctls = """
        net.ipv4.vs.am_droprate = 10
        net.ipv4.vs.conn_reuse_mode = 0
        net.ipv4.vs.debug_level = 0
        net.ipv4.vs.lblc_expiration = 86400
        net.ipv4.vs.sync_threshold = 5\t100

        """

    private func truth(_ results: LabResults) throws -> NamespaceTruth {
        try NamespaceTruth(results: results, truth: "truth", name: "host", path: "")
    }

    /// Text format for `series` (one family per name), as a correct dump would print it.
    private func render(
        _ series: [(key: SeriesKey, value: Double)],
        type: (String) -> String = {
            $0.hasSuffix("_total") ? "counter" : "gauge"
        }
    ) -> String {
        var text = ""
        for (name, group) in Dictionary(grouping: series, by: \.key.name).sorted(by: { $0.key < $1.key }) {
            text += "# TYPE \(name) \(type(name))\n"
            for (key, value) in group {
                let labels = key.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
                text += "\(name){\(labels)} \(value)\n"
            }
        }
        return text
    }

    private func correctSeries(_ truth: NamespaceTruth) throws -> [(key: SeriesKey, value: Double)] {
        var series = try (truth.objectSeries() + truth.namespaceSeries).map {
            expected -> (key: SeriesKey, value: Double) in
            guard case .exact(let value) = expected.value else {
                Issue.record("not exact: \(expected)")
                return (expected.key, 0)
            }
            return (expected.key, value)
        }
        series.append((SeriesKey(name: "ipvs_collect_duration_seconds", labels: Labels(["namespace": ""])), 0.01))
        return series
    }

    private func problems(_ text: String, _ truth: NamespaceTruth) throws -> [String] {
        try DumpComparison(truths: [truth]).problems(in: ExpositionParser.parse(text, source: "test.prom"))
    }

    @Test func expectedSeriesFollowTheContract() throws {
        let truth = try truth(try fixtureResults())
        let series = try truth.objectSeries()
        // 10 services x (5 counters + 5 rates + destinations + info) + 4 persistent timeouts,
        // 11 real servers x (weight + 2 thresholds + 3 connection counts + 5 counters + 5 rates).
        #expect(series.count == 10 * 12 + 4 + 11 * 16)
        let info = series.filter { $0.name == "ipvs_service_info" }.map(\.labels)
        #expect(
            info.contains(
                Labels([
                    "namespace": "", "family": "inet", "protocol": "tcp", "address": "10.0.0.2", "port": "80",
                    "fwmark": "", "scheduler": "wlc", "flags": "persistent,hashed", "netmask": "255.255.255.0",
                    "pe": "",
                ])))
        #expect(info.contains { $0["address"] == "10.0.0.8" && $0["flags"] == "hashed,sh-port" })
        #expect(info.contains { $0["address"] == "10.0.0.3" && $0["flags"] == "hashed,one-packet" })
        #expect(
            info.contains { $0["address"] == "10.0.0.7" && $0["pe"] == "sip" && $0["netmask"] == "255.255.255.255" })
        #expect(
            info.contains {
                $0["address"] == "2001:db8::4" && $0["flags"] == "persistent,hashed,sh-fallback,sh-port"
                    && $0["netmask"] == "64"
            })
        #expect(info.contains { $0["fwmark"] == "2" && $0["family"] == "inet6" && $0["netmask"] == "128" })
        #expect(info.contains { $0["fwmark"] == "260" && $0["port"] == "30000" && $0["protocol"] == "" })
        let forwarding = Set(series.compactMap { $0.labels["forwarding"] })
        #expect(forwarding == ["masq", "bypass", "local", "route", "tunnel"])
        let timeouts = series.filter { $0.name == "ipvs_service_persistence_timeout_seconds" }.map(\.value)
        #expect(Set(timeouts) == [.exact(300), .exact(60), .exact(120), .exact(600)])
        #expect(
            truth.namespaceSeries.prefix(4).map(\.name) == [
                "ipvs_up", "ipvs_services", "ipvs_connection_table_size", "ipvs_info",
            ])
        let settings = truth.namespaceSeries.dropFirst(4).map { "\($0.key) \($0.value)" }
        #expect(
            Set(settings) == [
                "ipvs_timeout_seconds{namespace=\"\",protocol=\"tcp\"} 1000.0",
                "ipvs_timeout_seconds{namespace=\"\",protocol=\"tcp_fin\"} 110.0",
                "ipvs_timeout_seconds{namespace=\"\",protocol=\"udp\"} 310.0",
                "ipvs_sync_daemon_info{interface=\"vh0\",namespace=\"\",state=\"master\",sync_id=\"7\"} 1.0",
                "ipvs_sync_daemon_info{interface=\"vh0\",namespace=\"\",state=\"backup\",sync_id=\"9\"} 1.0",
                "ipvs_sysctl{name=\"am_droprate\",namespace=\"\"} 10.0",
                "ipvs_sysctl{name=\"conn_reuse_mode\",namespace=\"\"} 0.0",
                "ipvs_sysctl{name=\"sync_threshold\",namespace=\"\"} 5.0",
                "ipvs_sysctl{name=\"sync_period\",namespace=\"\"} 100.0",
            ])
    }

    @Test func settingsInAnotherFormatAreErrors() throws {
        let timeout = "Timeout (tcp tcpfin udp): 900 120 300\n"
        #expect(try NamespaceSettings(timeout: timeout, daemon: "", sysctl: Self.sysctls, source: "t").daemons.isEmpty)
        let broken: [(timeout: String, daemon: String, sysctl: String)] = [
            ("Timeout (tcp udp): 900 300\n", "", Self.sysctls),
            ("Timeout (tcp tcpfin udp): 900 120\n", "", Self.sysctls),
            ("", "", Self.sysctls),
            (timeout, "master sync daemon (syncid=7)\n", Self.sysctls),
            (timeout, "primary sync daemon (mcast=eth0, syncid=7)\n", Self.sysctls),
            (timeout, "", "net.ipv4.vs.sync_threshold = 3\n"),
            (timeout, "", "net.ipv4.vs.conn_reuse_mode = on\n"),
            (timeout, "", "sysctl: cannot stat /proc/sys/net/ipv4/vs: No such file or directory\n"),
            (timeout, "", ""),
        ]
        for (timeout, daemon, sysctl) in broken {
            #expect(throws: IPVSAdmParseError.self, "\(timeout) \(daemon) \(sysctl)") {
                try NamespaceSettings(timeout: timeout, daemon: daemon, sysctl: sysctl, source: "t")
            }
        }
    }

    @Test func aCorrectDumpHasNoProblems() throws {
        let truth = try truth(try fixtureResults())
        #expect(try problems(render(try correctSeries(truth)), truth) == [])
    }

    @Test func everyKindOfDifferenceIsReported() throws {
        let truth = try truth(try fixtureResults())
        var series = try correctSeries(truth)
        let weight = try #require(series.firstIndex { $0.key.name == "ipvs_destination_weight" && $0.value == 4 })
        series[weight].value = 5
        let missing = try #require(series.firstIndex { $0.key.name == "ipvs_service_outgoing_bytes_total" })
        let removed = series.remove(at: missing)
        series.append(
            (SeriesKey(name: "ipvs_service_info", labels: Labels(["namespace": "", "address": "1.2.3.4"])), 1))
        series.append((SeriesKey(name: "ipvs_collect_duration_seconds", labels: Labels(["namespace": "/x"])), 1))
        let found = try problems(render(series), truth)
        #expect(found.count == 4, "\(found)")
        #expect(found.contains { $0.contains("ipvs_destination_weight{") && $0.contains("= 5.0, ipvsadm says 4.0") })
        #expect(found.contains { $0.hasPrefix("missing series \(removed.key)") })
        #expect(found.contains { $0.hasPrefix("unexpected series ipvs_service_info{address=\"1.2.3.4\"") })
        #expect(found.contains { $0.contains("namespace=\"/x\"") })
    }

    @Test func wrongFamilyTypeIsReported() throws {
        let truth = try truth(try fixtureResults())
        let text = render(try correctSeries(truth)) {
            $0 == "ipvs_destination_weight" ? "untyped" : ($0.hasSuffix("_total") ? "counter" : "gauge")
        }
        #expect(
            try problems(text, truth) == ["family ipvs_destination_weight has type untyped, the contract says gauge"])
    }

    @Test func readingsThatMovedAcceptTheRangeBetweenThem() throws {
        let moved = IPVSAdmFixtures.stats.replacingOccurrences(of: "2598     8556", with: "2500     8556")
        let truth = try truth(try fixtureResults(statsBefore: moved))
        let series = try truth.objectSeries().filter {
            $0.name.hasSuffix("incoming_bytes_total") && $0.labels["address"] == "10.0.0.2"
        }
        #expect(series.count == 3)
        #expect(series.filter { $0.value == .between(2500, 2598) }.count == 2)
        #expect(ExpectedValue.between(2500, 2598).accepts(2550))
        #expect(!ExpectedValue.between(2500, 2598).accepts(2599))
    }
}
