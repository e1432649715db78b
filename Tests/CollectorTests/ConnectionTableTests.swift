import Exposition
import Testing

@testable import Collector

/// `/proc/net/ip_vs_conn` as the kernel writes it (`ip_vs_conn_seq_show`), counted and
/// attributed to services; lines taken from the lab's integration boot.
@Suite struct ConnectionTableTests {
    static let table = """
        Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
        TCP 0A000001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT       106
        TCP 0A000001 D4C6 0A000001 0050 AC100001 1F90 ESTABLISHED     886
        TCP 0A000001 D4C8 0A000001 0050 AC100001 1F90 ESTABLISHED     890
        TCP 0A000001 D4CA 0A000001 0050 AC100009 1F90 ESTABLISHED     890
        TCP 0AFF0001 89F0 0AFF0002 7530 0AFF0005 1F90 ESTABLISHED     886
        IP  0A000000 0000 00000104 0000 0AFF0005 0000 NONE             59
        TCP 2001:0db8:0000:0000:0000:0000:0000:0001 D266 2001:0db8:0000:0000:0000:0000:0000:0001 0050 fd00:0000:0000:0000:0000:0000:0000:0009 1F90 TIME_WAIT       106
        UDP 0A000001 A01E 0A000063 0035 0A090909 14E9 UDP             286 sip 1234@example
        SCTP 0A000004 D9D0 0A000004 0F1C 0A090909 0F1C INIT             47

        """

    static func count(_ text: String, chunk: Int = 65536) -> ConnectionTableCounter {
        var counter = ConnectionTableCounter()
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            bytes[start..<end].withUnsafeBytes { counter.feed($0) }
            start = end
        }
        counter.finish()
        return counter
    }

    static func key(
        _ protocolNumber: UInt16, _ virtual: String, _ virtualPort: UInt16, _ destination: String,
        _ destinationPort: UInt16, _ state: String
    ) -> ConnectionEntryKey {
        ConnectionEntryKey(
            protocolNumber: protocolNumber, virtualAddress: IPAddress(virtual)!, virtualPort: virtualPort,
            destinationAddress: IPAddress(destination)!, destinationPort: destinationPort, state: state)
    }

    @Test func linesOfEveryShapeAreCounted() {
        let counter = Self.count(Self.table)
        #expect(counter.entries == 9)
        #expect(counter.malformedLines == 0)
        #expect(counter.counts[Self.key(6, "10.0.0.1", 80, "172.16.0.1", 8080, "ESTABLISHED")] == 2)
        #expect(counter.counts[Self.key(6, "10.0.0.1", 80, "172.16.0.1", 8080, "TIME_WAIT")] == 1)
        #expect(counter.counts[Self.key(0, "0.0.1.4", 0, "10.255.0.5", 0, "NONE")] == 1)
        #expect(counter.counts[Self.key(6, "2001:db8::1", 80, "fd00::9", 8080, "TIME_WAIT")] == 1)
        // Persistence engine data after the expiry is ignored.
        #expect(counter.counts[Self.key(17, "10.0.0.99", 53, "10.9.9.9", 5353, "UDP")] == 1)
        #expect(counter.counts[Self.key(132, "10.0.0.4", 3868, "10.9.9.9", 3868, "INIT")] == 1)
    }

    @Test(arguments: [1, 2, 7, 64, 100])
    func chunkBoundariesDoNotMatter(chunk: Int) {
        let whole = Self.count(Self.table)
        let pieces = Self.count(Self.table, chunk: chunk)
        #expect(pieces.counts == whole.counts)
        #expect(pieces.entries == whole.entries)
        #expect(pieces.malformedLines == 0)
    }

    @Test func aLastLineWithoutNewlineCounts() {
        let counter = Self.count("TCP 0A000001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT       106")
        #expect(counter.entries == 1)
    }

    @Test func malformedLinesAreCountedAndSkipped() {
        let lines = [
            "TCP 0A000001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT",  // no expiry
            "TCP 0A00001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT 1",  // 7 hex digits
            "TCP 0A000001 D442 0A000001 10050 AC100001 1F90 TIME_WAIT 1",  // 5-digit port
            "TCP 0A000001 D442 0A00000G 0050 AC100001 1F90 TIME_WAIT 1",  // not hex
            "FOO 0A000001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT 1",  // unknown protocol
            "TCP 2001-0db8:0000:0000:0000:0000:0000:0001 D266 0A000001 0050 AC100001 1F90 TIME_WAIT 1",
            "TCP 0A000001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT x1",
            String(repeating: "A", count: 5000),
            "IP_300 0A000001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT 1",
        ]
        let counter = Self.count(
            "Pro header\n" + lines.joined(separator: "\n") + "\nIP_47 0A000001 0 0A000001 0 0A000002 0 NONE 3\n")
        #expect(counter.malformedLines == lines.count)
        #expect(counter.entries == 1)
        #expect(counter.counts[Self.key(47, "10.0.0.1", 0, "10.0.0.2", 0, "NONE")] == 1)
    }

    /// A TCP service with one real server and a Docker-like firewall-mark service published on 30000.
    static func snapshot() -> NamespaceSnapshot {
        var snapshot = IPVSMetricsTests.snapshot()
        snapshot.services[1].destinations[0].weight = 0
        return snapshot
    }

    @Test func entriesAreAttributedToServicesAndRealServers() {
        let snapshot = Self.snapshot()
        let entries = ConnectionTable.attribute(
            Self.count(Self.table).counts, to: snapshot.services, markPorts: snapshot.markPorts,
            markAddresses: snapshot.markAddresses)
        func find(_ service: Int?, _ destination: String, _ state: String) -> ConnectionEntries? {
            entries.first {
                $0.serviceIndex == service && $0.key.destinationAddress == IPAddress(destination)!
                    && $0.key.state == state
            }
        }
        // The web service: its real server, and one that is no longer in it.
        #expect(find(0, "172.16.0.1", "ESTABLISHED")?.count == 2)
        #expect(find(0, "172.16.0.1", "ESTABLISHED")?.orphaned == false)
        #expect(find(0, "172.16.0.1", "TIME_WAIT")?.count == 1)
        #expect(find(0, "172.16.0.9", "ESTABLISHED")?.orphaned == true)
        // The mark service by its published port, and its template by the mark; weight 0: orphaned.
        #expect(find(1, "10.255.0.5", "ESTABLISHED")?.count == 1)
        #expect(find(1, "10.255.0.5", "ESTABLISHED")?.orphaned == true)
        #expect(find(1, "10.255.0.5", "NONE")?.count == 1)
        // No such service: kept with what the entries name, orphaned.
        let lost = entries.filter { $0.serviceIndex == nil }
        #expect(lost.count == 3)  // IPv6 TCP, UDP, SCTP
        #expect(lost.allSatisfy { $0.orphaned })
        #expect(entries.reduce(0) { $0 + $1.count } == 9)
    }

    @Test func familiesCountEntriesAndOrphans() throws {
        var snapshot = Self.snapshot()
        snapshot.connections = ConnectionTable.attribute(
            Self.count(Self.table).counts, to: snapshot.services, markPorts: snapshot.markPorts,
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
            NamespaceCollection(namespace: ns, result: .success(Self.snapshot()), durationSeconds: 0)
        ])
        #expect(!plain.contains { $0.name.hasPrefix("ipvs_connection_entries") })
    }
}
