import Exposition
import TestSupport
import Testing

/// `serve`, `once` and `run` with `--connection-states` in the integration scenario, each
/// read inside its own capture of ipvsadm (truth.serve, truth.once, truth.run): every series,
/// the connection table by state, the orphaned entries of the service whose real servers were
/// removed and set to weight 0, the backup daemon's synced entries, the timeouts, the sync
/// daemons and the sysctls are compared with `ipvsadm -Ln`, `-Lnc`, `-L --timeout`,
/// `-L --daemon` and `sysctl net.ipv4.vs`, as the dumps are (``DumpComparison``).
@Suite("IPVS lab: serve, once and run with --connection-states against ipvsadm")
struct LabCommandsTests {
    /// One command's reading and the ipvsadm capture around it.
    struct Reading: Sendable, CustomTestStringConvertible {
        var command: String
        /// What the command served or pushed: a scrape of serve, or the gateway's /metrics.
        var file: String
        var truth: String
        /// The file's `.rc` of the command's exit status.
        var status: String
        /// The Pushgateway job whose series `file` holds; nil for a scrape of serve.
        var job: String?

        var testDescription: String { "\(command): \(file) against \(truth)" }
    }

    static let readings = [
        Reading(command: "serve", file: "serve.prom", truth: "truth.serve", status: "serve", job: nil),
        Reading(command: "once", file: "pushgateway.prom", truth: "truth.once", status: "once-pushgateway", job: "lab"),
        Reading(command: "run", file: "run-pushgateway.prom", truth: "truth.run", status: "run", job: "lab-run"),
    ]

    /// The families that must carry samples in every reading: the issue's new ones.
    static let settingsAndStates = [
        "ipvs_connection_entries", "ipvs_connection_entries_orphaned", "ipvs_timeout_seconds",
        "ipvs_sync_daemon_info", "ipvs_sysctl",
    ]

    /// The IPVS series of a reading as `dump` would print them: without the agent's own
    /// families and, from a gateway, only `job`'s samples without the grouping labels.
    static func ipvsSeries(_ results: LabResults, _ reading: Reading) throws -> ParsedExposition {
        var parsed = try LabIntegrationTests.parse(results, reading.file, format: .prometheus)
        parsed.families = parsed.families.compactMap { family in
            guard !family.name.hasPrefix("ipvs_push_"), !PushgatewayGroup.gatewayFamilies.contains(family.name)
            else { return nil }
            guard let job = reading.job else { return family }
            var family = family
            family.samples = family.samples.filter { $0.labels["job"] == job }.map {
                var sample = $0
                sample.labels = sample.labels.removing("job").removing("instance")
                return sample
            }
            return family.samples.isEmpty ? nil : family
        }
        return parsed
    }

    @Test("each command's series equal ipvsadm's, connection states and settings included", arguments: readings)
    func matchesIpvsadm(_ reading: Reading) async throws {
        let results = try await LabRun.results()
        let status = try results.exitStatus(reading.status)
        #expect(status == 0, "\(reading.command) exited with \(status)")
        let series = try Self.ipvsSeries(results, reading)
        let truths = try LabIntegrationTests.truths(results, truth: reading.truth, connectionStates: true)
        let problems = try DumpComparison(truths: truths).problems(in: series)
        let capture = try results.environment("\(reading.truth)/capture.env")
        let source = reading.job.map { "job \($0)" } ?? "scrape"
        #expect(
            problems.isEmpty,
            """
            \(problems.count) differences between \(results.path(reading.file)) (\(source)) and ipvsadm (\(capture)):
            \(problems.prefix(80).joined(separator: "\n"))
            """)

        // Not a comparison of nothing: the new families are there, the black hole's entries
        // are orphaned, the backup lists the master's connections, both daemons are reported.
        let samples = series.families.flatMap(\.samples)
        for name in Self.settingsAndStates {
            #expect(samples.contains { $0.name == name }, "\(reading.file) has no \(name)")
        }
        let orphaned = samples.filter {
            $0.name == "ipvs_connection_entries_orphaned" && $0.labels["address"] == "10.0.0.17"
        }
        #expect(orphaned.reduce(0) { $0 + $1.value } >= 2, "10.0.0.17's entries not orphaned: \(orphaned)")
        let ingress = "/var/run/docker/netns/ingress_sbox"
        #expect(
            samples.contains {
                $0.name == "ipvs_connection_entries" && $0.labels["namespace"] == ingress
                    && $0.labels["address"] == "10.0.0.1"
            }, "the backup's synced entries of the host's 10.0.0.1:80 are missing")
        let daemons = samples.filter { $0.name == "ipvs_sync_daemon_info" }.map {
            "\($0.labels["namespace"] ?? "?") \($0.labels["state"] ?? "?")"
        }
        #expect(Set(daemons) == [" master", "\(ingress) backup"], "sync daemons: \(daemons)")
    }

    @Test("run collected at least twice, pushed every time and stopped cleanly on SIGTERM")
    func runCycles() async throws {
        let results = try await LabRun.results()
        let log = try AgentLogLine.parse(try results.text("logs/run.log"))
        #expect(AgentLogLine.cycleTimestamps(log).count >= 2, "cycles: \(AgentLogLine.cycleTimestamps(log))")
        #expect(log.contains { $0.message == "pushed" }, "run logged no push")
        let failures = log.filter { $0.level == "warning" || $0.level == "error" }.map(\.message)
        #expect(failures.isEmpty, "run logged: \(failures)")
    }
}
