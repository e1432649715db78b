import Exposition
import IPVSFixtures
import Testing

@testable import Collector
@testable import IPVSMetricSet

/// The connection table's series (`--connection-states`): entries by service, real server
/// and state, and those no service or real server claims.
@Suite struct ConnectionMetricsTests {
    @Test func familiesCountEntriesAndOrphans() throws {
        var snapshot = IPVSFixtures.connectionSnapshot()
        snapshot.connections = ConnectionTable.attribute(
            IPVSFixtures.count(IPVSFixtures.connectionTable).counts, to: snapshot.services,
            markPorts: snapshot.markPorts,
            markAddresses: snapshot.markAddresses)
        let ns = snapshot.namespace
        let families = IPVSMetrics.families([
            NamespaceCollection(namespace: ns, result: .success(snapshot), durationSeconds: 0)
        ])
        let entries = try #require(families.first { $0.name == "ipvs_connection_entries" })
        let orphans = try #require(families.first { $0.name == "ipvs_connection_entries_orphaned" })
        #expect(entries.samples.reduce(0) { $0 + $1.value } == 9)
        let established = entries.samples.first {
            $0.labels["address"] == "10.0.0.1" && $0.labels["destination_address"] == "172.16.0.1"
                && $0.labels["state"] == "ESTABLISHED"
        }
        #expect(
            established?.labels.pairs.map(\.name) == [
                "address", "destination_address", "destination_port", "family", "fwmark", "namespace", "port",
                "protocol", "scheduler", "state",
            ])
        #expect(established?.value == 2)
        #expect(established?.labels["destination_port"] == "8080")
        let mark = orphans.samples.first { $0.labels["fwmark"] == "260" && $0.labels["state"] == "NONE" }
        #expect(mark?.labels["port"] == "30000")
        #expect(mark?.value == 1)
        let template = orphans.samples.first { $0.labels["scheduler"] == "" && $0.labels["state"] == "UDP" }
        #expect(template?.labels["address"] == "10.0.0.99")
        #expect(template?.labels["protocol"] == "udp")
        #expect(orphans.samples.reduce(0) { $0 + $1.value } == 1 + 2 + 3)
        // Not read: no family.
        let plain = IPVSMetrics.families([
            NamespaceCollection(namespace: ns, result: .success(IPVSFixtures.connectionSnapshot()), durationSeconds: 0)
        ])
        #expect(!plain.contains { $0.name.hasPrefix("ipvs_connection_entries") })
    }
}
