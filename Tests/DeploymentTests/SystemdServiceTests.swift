import Exposition
import Foundation
import TestSupport
import Testing

/// deploy/systemd/ipvs-push.service run by systemd itself (the lab's `systemd-unit` scenario:
/// systemd as PID 1 of a container in the guest, the unit installed as deploy/README.md says,
/// every sandbox option as shipped): it starts, reads both namespaces, ends up with
/// CAP_NET_ADMIN only under its dynamic user, reloads, writes its queue to the state
/// directory and stops cleanly.
@Suite("systemd unit under systemd")
struct SystemdServiceTests {
    static let lab = DeploymentLabRun.systemd

    /// `Key=Value` lines of a `systemctl show` file.
    static func properties(_ file: String) async throws -> [String: String] {
        var properties: [String: String] = [:]
        for line in try await Self.lab.text(file).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { properties[String(parts[0])] = String(parts[1]) }
        }
        return properties
    }

    @Test func theServiceRunsAsADynamicUserAndStopsCleanly() async throws {
        let running = try await Self.properties("unit.show")
        #expect(running["ActiveState"] == "active" && running["SubState"] == "running", "\(running)")
        #expect(running["NRestarts"] == "0")
        // systemd allocates dynamic users from 61184 to 65519.
        let uid = try #require(running["UID"].flatMap { Int($0) })
        #expect((61184...65519).contains(uid), "UID \(uid)")
        let stopped = try await Self.properties("unit.stopped")
        #expect(stopped["Result"] == "success" && stopped["ActiveState"] == "inactive", "\(stopped)")
        #expect(stopped["ExecMainStatus"] == "0", "\(stopped)")
        let log = try await Self.lab.text("unit.log")
        #expect(log.contains("dropped capabilities") && log.contains("configuration applied"), "\(log.suffix(2000))")
    }

    @Test func everyThreadHoldsNetAdminOnlyUnderTheFilter() async throws {
        let uid = try await Self.properties("unit.show")["UID"] ?? "?"
        let threads = try await Self.lab.text("unit.threads").components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(threads.count >= 4)
        for thread in threads {
            for field in ["CapEff", "CapPrm", "CapInh", "CapAmb"] {
                #expect(thread.contains("\(field):\t0000000000001000"), "\(field) in\n\(thread)")
            }
            // The unit's bounding set; a non-root user cannot shrink it further.
            #expect(thread.contains("CapBnd:\t0000000000201000"), "\(thread)")
            #expect(thread.contains("NoNewPrivs:\t1") && thread.contains("Seccomp:\t2"), "\(thread)")
            #expect(thread.contains("Uid:\t\(uid)\t\(uid)\t\(uid)\t\(uid)"), "\(thread)")
        }
    }

    @Test func bothNamespacesAreReadBeforeAndAfterTheReload() async throws {
        for file in ["unit.first.prom", "unit.second.prom"] {
            let text = try await Self.lab.text(file)
            let parsed = try ExpositionParser.parse(Array(text.utf8), source: file, format: nil)
            let samples = Array(parsed.families.lazy.flatMap(\.samples))
            for namespace in ["", "/var/run/docker/netns/ingress_sbox"] {
                let up = samples.first { $0.name == "ipvs_up" && $0.labels["namespace"] == namespace }
                #expect(up?.value == 1, "\(file): ipvs_up{namespace=\"\(namespace)\"}")
            }
            // The published port comes from the ingress namespace's mangle table.
            let marked = samples.first { $0.name == "ipvs_service_connections_total" && $0.labels["fwmark"] == "260" }
            #expect(marked?.labels["port"] == "30000", "\(file)")
        }
    }

    @Test func theQueueLivesInTheStateDirectory() async throws {
        let uid = try await Self.properties("unit.show")["UID"] ?? "?"
        let listing = try await Self.lab.text("unit.queue")
        #expect(listing.contains("shard-000") && listing.contains(".seg"), "\(listing)")
        for line in listing.split(separator: "\n") where line.hasPrefix("-") || line.hasPrefix("d") {
            let owner = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first
            #expect(owner.map(String.init) == uid, "not the service user's: \(line)")
        }
    }
}
