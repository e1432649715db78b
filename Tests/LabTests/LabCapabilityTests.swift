import Exposition
import Foundation
import TestSupport
import Testing

/// Least privilege against a real kernel (Lab/scenarios/capabilities.sh): `serve` with the
/// Docker-style ingress namespace, as root and as uid 65534 with CAP_NET_ADMIN and
/// CAP_SYS_ADMIN ambient. After start-up every thread holds CAP_NET_ADMIN only, and a
/// firewall-mark service with its MARK rule added afterwards is read with its published port:
/// the namespace is read without CAP_SYS_ADMIN (no setns) and the legacy mangle table
/// without CAP_NET_RAW.
@Suite("IPVS lab: serve drops its capabilities and keeps reading the ingress namespace")
struct LabCapabilityTests {
    static let ingress = "/var/run/docker/netns/ingress_sbox"
    static let netAdmin: UInt64 = 1 << 12

    /// One thread's status lines, by field name.
    struct ThreadStatus {
        var fields: [String: String]
        var name: String { fields["Name"] ?? "?" }
        func mask(_ field: String) -> UInt64? { fields[field].flatMap { UInt64($0, radix: 16) } }
    }

    static func threads(_ results: LabResults, _ file: String) throws -> [ThreadStatus] {
        try results.text(file).components(separatedBy: "\n\n").compactMap { block in
            var fields: [String: String] = [:]
            for line in block.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2 else { continue }
                fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces)
            }
            return fields.isEmpty ? nil : ThreadStatus(fields: fields)
        }
    }

    /// The `port` label of the ingress service with firewall mark `mark`, nil when absent.
    static func publishedPort(_ results: LabResults, _ file: String, mark: Int) throws -> String? {
        let parsed = try ExpositionParser.parse(try results.bytes(file), source: results.path(file), format: nil)
        let samples = parsed.families.lazy.flatMap(\.samples)
        return samples.first {
            $0.name == "ipvs_service_connections_total" && $0.labels["namespace"] == Self.ingress
                && $0.labels["fwmark"] == "\(mark)"
        }?.labels["port"]
    }

    @Test("setpriv is there for the unprivileged run")
    func setprivExists() async throws {
        let results = try await LabCapabilityRun.results()
        #expect(!(try results.text("setpriv.path")).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test(
        "every thread keeps CAP_NET_ADMIN only, and a service added later shows its port", arguments: ["root", "user"])
    func dropsAndKeepsReading(_ mode: String) async throws {
        let results = try await LabCapabilityRun.results()
        let log = (try? results.text("cap-\(mode).log")) ?? ""
        #expect(try results.exitStatus("cap-\(mode)") == 0, "serve (\(mode)) exit status; log:\n\(log)")
        #expect(log.contains("dropped capabilities"), "\(log)")

        for file in ["cap-\(mode).threads", "cap-\(mode).threads-after"] {
            let threads = try Self.threads(results, file)
            #expect(threads.count >= 4, "\(file): \(threads.map(\.name))")
            #expect(threads.contains { $0.name == "ipvs-push netns" }, "\(file): no namespace thread")
            for thread in threads {
                let place = "\(file), thread \(thread.fields["Pid"] ?? "?") (\(thread.name))"
                for field in ["CapEff", "CapPrm", "CapInh", "CapAmb"] {
                    #expect(thread.mask(field) == Self.netAdmin, "\(place): \(field) \(thread.fields[field] ?? "-")")
                }
                #expect(thread.fields["NoNewPrivs"] == "1", "\(place)")
                // Root shrinks its bounding set; a user without CAP_SETPCAP cannot (and need not).
                if mode == "root" {
                    #expect(
                        thread.mask("CapBnd") == Self.netAdmin, "\(place): CapBnd \(thread.fields["CapBnd"] ?? "-")")
                }
            }
        }

        let first = try ExpositionParser.parse(
            try results.bytes("cap-\(mode).first.prom"), source: results.path("cap-\(mode).first.prom"), format: nil)
        let up = first.families.lazy.flatMap(\.samples).first {
            $0.name == "ipvs_up" && $0.labels["namespace"] == Self.ingress
        }
        #expect(up?.value == 1, "ipvs_up of the ingress namespace")
        #expect(try Self.publishedPort(results, "cap-\(mode).first.prom", mark: 260) == "30000")
        #expect(try Self.publishedPort(results, "cap-\(mode).first.prom", mark: 261) == nil)
        #expect(try Self.publishedPort(results, "cap-\(mode).second.prom", mark: 261) == "30001")
    }
}
