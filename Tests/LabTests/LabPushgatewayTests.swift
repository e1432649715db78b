import Exposition
import Foundation
import TestSupport
import Testing

/// `ipvs-push once` to a real Pushgateway inside the lab, after the state was frozen: each
/// namespace is its own group, and every series the gateway holds equals the one of
/// `dump.prom` (same name, same labels plus the grouping key, identical value), with none
/// missing and none extra.
@Suite("IPVS lab: ipvs-push once to a Pushgateway")
struct LabPushgatewayTests {
    /// Differs from run to run, so it is left out of the comparison; and what the connection
    /// table gives, the entries both count (--connection-states) and the inactive connections:
    /// TIME_WAIT, UDP and closed SCTP entries expire in the minute between the dump and once.
    /// Each is compared with the ipvsadm (-Lnc, --persistent-conn) read around it instead
    /// (LabIntegrationTests for the dump, LabCommandsTests for once).
    static let varying: Set<String> = [
        "ipvs_collect_duration_seconds", "ipvs_connection_entries", "ipvs_connection_entries_orphaned",
        "ipvs_destination_connections_inactive",
    ]

    /// The grouping key `once` was given in the scenario.
    static let key = ["job": "lab", "instance": "guest"]

    /// dump.prom's series with the labels the gateway adds, by namespace, and its families.
    static func expected(_ results: LabResults) throws -> (
        series: [String: [PushgatewaySeries: Double]], families: [String: MetricFamily]
    ) {
        let dump = try LabIntegrationTests.parse(results, "dump.prom", format: .prometheus)
        var series: [String: [PushgatewaySeries: Double]] = [:]
        var families: [String: MetricFamily] = [:]
        for family in dump.families where !varying.contains(family.name) {
            families[family.name] = family
            for sample in family.samples {
                var labels = Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) })
                let namespace = try #require(labels["namespace"], "\(sample.name) has no namespace label")
                labels.merge(key) { $1 }
                series[namespace, default: [:]][PushgatewaySeries(sample.name, labels)] = sample.value
            }
        }
        return (series, families)
    }

    static func differences(expected: [PushgatewaySeries: Double], actual: [PushgatewaySeries: Double]) -> [String] {
        var lines: [String] = []
        for (series, value) in expected.sorted(by: { $0.key < $1.key }) {
            if let stored = actual[series] {
                if stored != value { lines.append("different: \(series) dump \(value), gateway \(stored)") }
            } else {
                lines.append("missing: \(series) \(value)")
            }
        }
        for (series, value) in actual.sorted(by: { $0.key < $1.key }) where expected[series] == nil {
            lines.append("unexpected: \(series) \(value)")
        }
        return lines
    }

    @Test("once exits 0 and the gateway holds exactly dump.prom's series and values, one group per namespace")
    func gatewayMatchesDump() async throws {
        let results = try await LabRun.results()
        let status = try results.exitStatus("once-pushgateway")
        let stderr = try results.text("once-pushgateway.stderr")
        #expect(status == 0, "once exited with \(status): \(stderr)")
        #expect(stderr.isEmpty, "once wrote to stderr: \(stderr)")

        let (expected, families) = try Self.expected(results)
        let ingress = "/var/run/docker/netns/ingress_sbox"
        #expect(Set(expected.keys) == ["", ingress], "dump.prom's namespaces: \(expected.keys.sorted())")
        let groups = try PushgatewayGroup.parse(Data(try results.bytes("pushgateway.json")))
        let keys = groups.map { $0.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }
        #expect(
            Set(groups.map(\.labels)) == [
                Self.key.merging(["namespace": ""]) { $1 },
                Self.key.merging(["namespace": ingress]) { $1 },
            ],
            "groups: \(keys)")

        for group in groups {
            let namespace = group.labels["namespace"] ?? "?"
            #expect(group.lastPushSuccessful, "namespace '\(namespace)'")
            var stored = group.series
            stored = stored.filter { !Self.varying.contains($0.key.name) }
            #expect(stored.count > 10, "namespace '\(namespace)': only \(stored.count) series")
            let problems = Self.differences(expected: expected[namespace] ?? [:], actual: stored)
            let listed = problems.prefix(60).joined(separator: "\n")
            #expect(
                problems.isEmpty,
                "namespace '\(namespace)': \(problems.count) differences between pushgateway.json and dump.prom:\n\(listed)"
            )
            for (name, family) in group.families where !Self.varying.contains(name) {
                let dumped = families[name]
                #expect(family.type == dumped?.type.rawValue.uppercased(), "type of \(name)")
                #expect(family.help == dumped?.help, "help of \(name)")
            }
        }
    }

    @Test("what Prometheus scrapes from the gateway carries the same series and values")
    func scrapedTextMatchesDump() async throws {
        let results = try await LabRun.results()
        let (expected, _) = try Self.expected(results)
        let scraped = try LabIntegrationTests.parse(results, "pushgateway.prom", format: .prometheus)
        var byNamespace: [String: [PushgatewaySeries: Double]] = [:]
        for family in scraped.families
        where !Self.varying.contains(family.name) && !PushgatewayGroup.gatewayFamilies.contains(family.name) {
            for sample in family.samples where sample.labels["job"] == "lab" {
                #expect(sample.timestampMilliseconds == nil, "\(sample.name) has a timestamp")
                let labels = Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) })
                byNamespace[labels["namespace"] ?? "?", default: [:]][PushgatewaySeries(sample.name, labels)] =
                    sample.value
            }
        }
        #expect(Set(byNamespace.keys) == Set(expected.keys))
        for (namespace, series) in expected {
            let problems = Self.differences(expected: series, actual: byNamespace[namespace] ?? [:])
            let listed = problems.prefix(60).joined(separator: "\n")
            #expect(
                problems.isEmpty,
                "namespace '\(namespace)': \(problems.count) differences between pushgateway.prom and dump.prom:\n\(listed)"
            )
        }
    }
}
