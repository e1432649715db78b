import IPVSFixtures
import Testing

@testable import Collector

/// `/proc/net/ip_vs_conn` as the kernel writes it (`ip_vs_conn_seq_show`), counted and
/// attributed to services; lines taken from the lab's integration boot.
@Suite struct ConnectionTableTests {
    static func key(
        _ protocolNumber: UInt16, _ virtual: String, _ virtualPort: UInt16, _ destination: String,
        _ destinationPort: UInt16, _ state: String
    ) -> ConnectionEntryKey {
        ConnectionEntryKey(
            protocolNumber: protocolNumber, virtualAddress: IPAddress(virtual)!, virtualPort: virtualPort,
            destinationAddress: IPAddress(destination)!, destinationPort: destinationPort, state: state)
    }

    @Test func linesOfEveryShapeAreCounted() {
        let counter = IPVSFixtures.count(IPVSFixtures.connectionTable)
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
        let whole = IPVSFixtures.count(IPVSFixtures.connectionTable)
        let pieces = IPVSFixtures.count(IPVSFixtures.connectionTable, chunk: chunk)
        #expect(pieces.counts == whole.counts)
        #expect(pieces.entries == whole.entries)
        #expect(pieces.malformedLines == 0)
    }

    @Test func aLastLineWithoutNewlineCounts() {
        let counter = IPVSFixtures.count("TCP 0A000001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT       106")
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
        let counter = IPVSFixtures.count(
            "Pro header\n" + lines.joined(separator: "\n") + "\nIP_47 0A000001 0 0A000001 0 0A000002 0 NONE 3\n")
        #expect(counter.malformedLines == lines.count)
        #expect(counter.entries == 1)
        #expect(counter.counts[Self.key(47, "10.0.0.1", 0, "10.0.0.2", 0, "NONE")] == 1)
    }

    @Test func entriesAreAttributedToServicesAndRealServers() {
        let snapshot = IPVSFixtures.connectionSnapshot()
        let entries = ConnectionTable.attribute(
            IPVSFixtures.count(IPVSFixtures.connectionTable).counts, to: snapshot.services,
            markPorts: snapshot.markPorts,
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
}
