import Foundation
import TestSupport
import Testing

@testable import Collector
@testable import Namespaces
@testable import Privileges

/// The legacy iptables mangle table read in-process (no iptables-legacy-save, no CAP_NET_RAW),
/// against what iptables-legacy-save prints for the same namespace.
@Suite struct LegacyMangleTableTests {
    static let isRoot = getuid() == 0

    @Test(.enabled(if: isRoot)) func readsWhatIptablesLegacySavePrints() throws {
        let namespace = try ProcessCapabilitiesNamespace(rules: true)
        defer { namespace.remove() }
        let thread = try NetworkNamespace.thread(for: namespace.path)
        defer { thread.retire() }
        let read = try thread.run { LegacyMangleTable.readCurrentNamespace() }
        let marks = try #require(read)
        let printed = FirewallMarkRules.parse(try namespace.legacySave())
        #expect(marks == printed)
        #expect(printed == FirewallMarks(ports: [260: [30000], 261: [40, 60]], addresses: [257: ["10.0.1.2"]]))
    }

    @Test(.enabled(if: isRoot)) func aNamespaceWithoutTheTableIsEmptyAndStaysWithout() throws {
        let namespace = try ProcessCapabilitiesNamespace(rules: false)
        defer { namespace.remove() }
        let thread = try NetworkNamespace.thread(for: namespace.path)
        defer { thread.retire() }
        let read = try thread.run { LegacyMangleTable.readCurrentNamespace() }
        #expect(read == FirewallMarks())
        // Reading created no legacy table there (iptables-legacy-save would have).
        let names = try thread.run { ProcFile.read("/proc/thread-self/net/ip_tables_names") ?? "" }
        #expect(!names.contains("mangle"))
    }

    @Test func malformedEntriesEndTheWalk() {
        let garbage = [UInt8](repeating: 0xff, count: 300)
        let marks = garbage.withUnsafeBytes { LegacyMangleTable.parse(entries: $0) }
        #expect(marks.isEmpty)
        let zeros = [UInt8](repeating: 0, count: 300)
        #expect(zeros.withUnsafeBytes { LegacyMangleTable.parse(entries: $0) }.isEmpty)
    }
}
