import Exposition
import Foundation
import TestSupport
import Testing

/// `ipvs-push run --config FILE` in the IPVS lab, as production runs it: one collection per
/// second of a frozen IPVS state in two namespaces goes to a Pushgateway, VictoriaMetrics,
/// Prometheus' remote-write receiver and `/metrics` at once; SIGHUP with a changed file (an
/// external label, the Pushgateway job), SIGHUP with an invalid file, a VictoriaMetrics outage
/// with a backlog on disk, SIGTERM during the outage, and VictoriaMetrics back. See
/// Lab/scenarios/agent-run.sh.
///
/// The agent logs each cycle's collection time at debug level (`collected`); those times are
/// the ground truth of what the receivers must hold.
@Suite("IPVS lab: ipvs-push run --config with every sink at once, SIGHUP and SIGTERM")
struct LabAgentRunTests {
    static let ingress = "/var/run/docker/netns/ingress_sbox"
    static let victoriaURL = "http://127.0.0.1:8428/api/v1/write"
    static let prometheusURL = "http://127.0.0.1:9090/api/v1/write"
    /// A timing: differs from cycle to cycle.
    static let varying = "ipvs_collect_duration_seconds"
    static let externalLabel = ("lab", "agent-run")
    static let reloadLabel = ("reload", "2")

    struct Context {
        var run: AgentRunLab.Run
        var log: [AgentLogLine]
        /// Every cycle's collection time, in order.
        var cycles: [Int64]
        var events: [String: Int64]

        var results: LabResults { run.results }

        func event(_ name: String) throws -> Int64 {
            try require(events[name], "events.env has no \(name): \(events)")
        }

        /// The log's first line with `message`.
        func logTime(_ message: String) throws -> Int64 {
            try require(log.first { $0.message == message }?.milliseconds, "the agent's log has no \"\(message)\"")
        }
    }

    static func context() async throws -> Context {
        let run = try await AgentRunLab.results()
        let log = try AgentLogLine.parse(try run.results.text("logs/agent.log"))
        var events: [String: Int64] = [:]
        for (name, value) in try run.results.environment("events.env") { events[name] = Int64(value) }
        return Context(run: run, log: log, cycles: AgentLogLine.cycleTimestamps(log), events: events)
    }

    static func scrape(_ results: LabResults, _ file: String) throws -> ParsedExposition {
        try ExpositionParser.parse(try results.bytes(file), source: results.path(file), format: .prometheus)
    }

    /// The value of the sample `name` whose labels include `labels`.
    static func value(_ scrape: ParsedExposition, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        scrape.families.lazy.flatMap(\.samples).first { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }

    /// The IPVS series of a scrape that stay the same from cycle to cycle in the frozen lab.
    static func ipvsSeries(_ scrape: ParsedExposition) -> [Sample] {
        scrape.families.filter { $0.name.hasPrefix("ipvs_") && !$0.name.hasPrefix("ipvs_push_") && $0.name != varying }
            .flatMap(\.samples)
    }

    /// How a remote-write receiver stores a sample: `__name__` and the non-empty labels.
    static func storedKey(_ name: String, _ labels: [String: String]) -> String {
        StoredSeries(labels: labels.filter { !$0.value.isEmpty }.merging(["__name__": name]) { $1 }, points: []).key
    }

    static func receivers(_ results: LabResults) throws -> [(name: String, series: [StoredSeries])] {
        [
            ("VictoriaMetrics", try StoredSeries.parseVictoriaExport(try results.text("victoria-export.jsonl"))),
            (
                "Prometheus",
                try PrometheusExport.parse(
                    Data(try results.bytes("prometheus-export.json")), source: results.path("prometheus-export.json"))
            ),
        ]
    }

    // MARK: /metrics

    @Test("/metrics serves exactly ipvsadm's services, real servers and numbers, with the agent's own metrics")
    func metricsMatchIpvsadm() async throws {
        let context = try await Self.context()
        let results = context.results
        let scrape = try Self.scrape(results, "metrics-a.prom")
        var ipvsOnly = scrape
        ipvsOnly.families = scrape.families.filter { !$0.name.hasPrefix("ipvs_push_") }
        let truths = try LabIntegrationTests.truths(results, truth: "truth.run")
        let problems = try DumpComparison(truths: truths).problems(in: ipvsOnly)
        let capture = try results.environment("truth.run/capture.env")
        #expect(
            problems.isEmpty,
            """
            \(problems.count) differences between metrics-a.prom and ipvsadm (\(capture)):
            \(problems.prefix(80).joined(separator: "\n"))
            """
        )

        // The lab is not empty: services in both namespaces, traffic, connections of both kinds.
        let host = try #require(truths.first { $0.path.isEmpty })
        let ingress = try #require(truths.first { $0.path == Self.ingress })
        #expect(host.list.services.count == 4 && ingress.list.services.count == 2)
        for truth in [host, ingress] {
            #expect(truth.stats.services.contains { $0.numbers[1] > 0 }, "\(truth.name): no traffic")
            // The held TCP connections: established, so active.
            let connections = truth.persistent.services.flatMap(\.destinations).map(\.numbers)
            #expect(connections.contains { $0[2] > 0 }, "\(truth.name): no active connection")
        }

        #expect(Self.value(scrape, "ipvs_push_config_last_reload_successful") == 1)
        for url in [Self.victoriaURL, Self.prometheusURL] {
            let sent = Self.value(scrape, "ipvs_push_remote_write_batches_sent_total", ["url": url]) ?? 0
            #expect(sent >= 3, "\(url): \(sent) batches acknowledged")
            #expect(Self.value(scrape, "ipvs_push_remote_write_queue_batches", ["url": url]) != nil, "\(url)")
        }
    }

    // MARK: Remote write

    @Test("both receivers hold a sample of every cycle the agent ran, none missing and none twice")
    func receiversHoldEveryCycle() async throws {
        let context = try await Self.context()
        let cycles = context.cycles
        #expect(cycles.count >= 15, "only \(cycles.count) cycles logged")
        #expect(zip(cycles, cycles.dropFirst()).allSatisfy { $0 < $1 }, "cycle times not increasing: \(cycles)")
        for (receiver, series) in try Self.receivers(context.results) {
            for namespace in ["", Self.ingress] {
                let up = series.filter { $0.name == "ipvs_up" && ($0.labels["namespace"] ?? "") == namespace }
                let times = up.flatMap(\.points).map(\.timestamp).sorted()
                let missing = Set(cycles).subtracting(times).sorted()
                let extra = Set(times).subtracting(cycles).sorted()
                #expect(
                    times == cycles,
                    """
                    \(receiver), ipvs_up of namespace '\(namespace)': \(times.count) samples for \
                    \(cycles.count) cycles; \
                    missing \(missing.prefix(20)), not a cycle \(extra.prefix(20)), series \(up.map(\.key))
                    """)
            }
        }
    }

    @Test("every stored IPVS sample has ipvsadm's value, with the labels and rules of the file it was collected under")
    func storedValuesAndLabels() async throws {
        let context = try await Self.context()
        let scrape = try Self.scrape(context.results, "metrics-a.prom")
        var expected: [String: Double] = [:]
        for sample in Self.ipvsSeries(scrape) {
            let labels = Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) })
            expected[Self.storedKey(sample.name, labels)] = sample.value
        }
        #expect(expected.count > 40, "metrics-a.prom has only \(expected.count) IPVS series")
        let hangup = try context.logTime("reloading the configuration")
        let applied = try context.logTime("configuration applied")
        let cycles = Set(context.cycles)

        for (receiver, stored) in try Self.receivers(context.results) {
            var problems: [String] = []
            var before: [String: Set<Int64>] = [:]
            var after: [String: Set<Int64>] = [:]
            for series in stored where series.name.hasPrefix("ipvs_") && !series.name.hasPrefix("ipvs_push_") {
                var labels = series.labels
                if labels.removeValue(forKey: Self.externalLabel.0) != Self.externalLabel.1 {
                    problems.append("without \(Self.externalLabel): \(series.key)")
                }
                let reloaded = labels.removeValue(forKey: Self.reloadLabel.0)
                if reloaded != nil && reloaded != Self.reloadLabel.1 {
                    problems.append("unknown reload label: \(series.key)")
                }
                let name = labels.removeValue(forKey: "__name__") ?? ""
                let key = Self.storedKey(name, labels)
                let times = Set(series.points.map(\.timestamp))
                if reloaded == nil {
                    before[key, default: []].formUnion(times)
                } else {
                    after[key, default: []].formUnion(times)
                }
                if name == Self.varying { continue }
                guard let value = expected[key] else {
                    problems.append("not in metrics-a.prom: \(series.key)")
                    continue
                }
                for point in series.points where point.value != value {
                    problems.append(
                        "\(series.key) at \(point.timestamp): \(point.value), /metrics and ipvsadm \(value)")
                }
            }
            // Cycles collected before the reload carry the old labels, the later ones the new.
            let lastBefore = before.values.compactMap { $0.max() }.max() ?? 0
            let firstAfter = after.values.compactMap { $0.min() }.min() ?? 0
            #expect(
                lastBefore < firstAfter && lastBefore <= applied && firstAfter >= hangup,
                """
                \(receiver): last cycle with the old labels \(lastBefore), first with the new \(firstAfter); \
                SIGHUP logged at \(hangup), applied at \(applied)
                """)
            // Every series at every cycle, but the real servers' in Prometheus after the reload
            // (the new file's write_relabel_configs drops them there).
            let oldCycles = cycles.filter { $0 <= lastBefore }
            let newCycles = cycles.subtracting(oldCycles)
            for key in expected.keys.sorted() {
                let dropped = Self.droppedKeys(receiver, [key]).count == 1
                if (before[key] ?? []) != oldCycles || (after[key] ?? []) != (dropped ? [] : newCycles) {
                    problems.append(
                        "\(key): \(before[key]?.count ?? 0) samples of \(oldCycles.count) cycles before the reload, "
                            + "\(after[key]?.count ?? 0) of \(dropped ? 0 : newCycles.count) after")
                }
            }
            #expect(
                receiver != "Prometheus" || !Self.droppedKeys(receiver, expected.keys).isEmpty,
                "no real server series to drop")
            #expect(
                problems.isEmpty,
                "\(receiver): \(problems.count) problems:\n\(problems.prefix(60).joined(separator: "\n"))")
        }
    }

    /// The expected keys the new file's rule drops at `receiver`.
    static func droppedKeys(_ receiver: String, _ keys: some Collection<String>) -> [String] {
        receiver == "Prometheus" ? keys.filter { $0.hasPrefix("ipvs_destination_") } : []
    }

    // MARK: Pushgateway

    /// The gateway's groups of `job`, by namespace; each must match metrics-a.prom's series.
    static func checkGroups(
        _ context: Context, file: String, job: String
    ) throws -> [String: PushgatewayGroup] {
        let scrape = try Self.scrape(context.results, "metrics-a.prom")
        let groups = try PushgatewayGroup.parse(Data(try context.results.bytes(file))).filter {
            $0.labels["job"] == job
        }
        var byNamespace: [String: PushgatewayGroup] = [:]
        for group in groups { byNamespace[group.labels["namespace"] ?? "?"] = group }
        #expect(
            Set(groups.map(\.labels)) == [
                ["job": job, "instance": "guest", "namespace": ""],
                ["job": job, "instance": "guest", "namespace": Self.ingress],
            ], "\(file): groups of job \(job): \(groups.map(\.labels))")
        var expected: [String: [PushgatewaySeries: Double]] = [:]
        for sample in Self.ipvsSeries(scrape) {
            var labels = Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) })
            labels.merge(["job": job, "instance": "guest"]) { $1 }
            expected[labels["namespace"] ?? "", default: [:]][PushgatewaySeries(sample.name, labels)] = sample.value
        }
        for (namespace, group) in byNamespace {
            #expect(group.lastPushSuccessful, "\(file): group \(group.labels)")
            let stored = group.series.filter {
                $0.key.name.hasPrefix("ipvs_") && !$0.key.name.hasPrefix("ipvs_push_") && $0.key.name != Self.varying
            }
            let problems = LabPushgatewayTests.differences(expected: expected[namespace] ?? [:], actual: stored)
            #expect(
                problems.isEmpty,
                """
                \(file), job \(job), namespace '\(namespace)': \(problems.count) differences from metrics-a.prom:
                \(problems.prefix(40).joined(separator: "\n"))
                """)
        }
        return byNamespace
    }

    @Test("the Pushgateway holds one group per namespace with /metrics' values, under the job of the running file")
    func pushgatewayGroups() async throws {
        let context = try await Self.context()
        _ = try Self.checkGroups(context, file: "pushgateway-a.json", job: "lab-run")
        let hangup = Double(try context.event("hup_valid")) / 1000
        let reloaded = try Self.checkGroups(context, file: "pushgateway-reload.json", job: "lab-run-2")
        for (namespace, group) in reloaded {
            #expect((group.pushTime ?? 0) >= hangup - 1, "namespace '\(namespace)': pushed at \(group.pushTime ?? 0)")
        }
        // The Pushgateway kept getting every cycle while VictoriaMetrics was down.
        let outage = Double(try context.event("victoria_stopped")) / 1000
        let final = try Self.checkGroups(context, file: "pushgateway-final.json", job: "lab-run-2")
        for (namespace, group) in final {
            #expect((group.pushTime ?? 0) > outage, "namespace '\(namespace)': last push \(group.pushTime ?? 0)")
        }
        // The old job's groups stay as they were last pushed: pushes go one at a time in the
        // order of collection, so every push of the old job came before any of the new one.
        let firstNew = reloaded.values.compactMap(\.pushTime).min() ?? 0
        let old = try Self.checkGroups(context, file: "pushgateway-final.json", job: "lab-run")
        for (namespace, group) in old {
            #expect(
                (group.pushTime ?? .infinity) < firstNew,
                "namespace '\(namespace)': pushed at \(group.pushTime ?? 0), the new job by \(firstNew)")
        }
    }

    // MARK: Reload

    @Test("SIGHUP applies a changed file and rejects an invalid one without stopping; the reload metrics say so")
    func reloads() async throws {
        let context = try await Self.context()
        let results = context.results
        let reloaded = try Self.scrape(results, "metrics-reload.prom")
        let invalid = try Self.scrape(results, "metrics-invalid.prom")
        let hangup = Double(try context.event("hup_valid")) / 1000
        #expect(Self.value(reloaded, "ipvs_push_config_last_reload_successful") == 1)
        let loaded = try #require(Self.value(reloaded, "ipvs_push_config_last_reload_success_timestamp_seconds"))
        #expect(loaded >= hangup.rounded(.down) - 1, "last successful reload \(loaded), SIGHUP at \(hangup)")
        #expect(Self.value(invalid, "ipvs_push_config_last_reload_successful") == 0)
        #expect(Self.value(invalid, "ipvs_push_config_last_reload_success_timestamp_seconds") == loaded)

        let hangups = context.log.filter { $0.message == "reloading the configuration" }
        #expect(hangups.count == 2, "\(hangups)")
        let applied = context.log.filter { $0.message == "configuration applied" }
        #expect(applied.count == 1, "\(applied)")
        // A new external label changes both destinations: each is drained, closed and opened again.
        #expect(
            applied.first?.fields["remote_write_started"] == "2"
                && applied.first?.fields["remote_write_reopened"] == "2",
            "\(applied)")
        let rejected = context.log.filter { $0.message.hasPrefix("configuration reload rejected") }
        #expect(rejected.count == 1 && rejected.first?.level == "error", "\(rejected)")
        let error = rejected.first?.fields["error"] ?? ""
        #expect(
            error.contains("agent.yml:3:") && error.contains("every-second"), "the rejection names the place: \(error)")

        let afterRejection = context.cycles.filter { $0 > (try? context.event("hup_invalid_rejected")) ?? .max }
        #expect(afterRejection.count >= 3, "cycles after the rejected reload: \(afterRejection)")
    }

    // MARK: Shutdown

    @Test("SIGTERM during the outage: the agent waits for the receiver, drains the backlog into it, exits 0")
    func backlogDrainedAtShutdown() async throws {
        let context = try await Self.context()
        let results = context.results
        #expect(try results.text("agent.rc").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let backlog = try Self.scrape(results, "metrics-backlog.prom")
        let queued = Self.value(backlog, "ipvs_push_remote_write_queue_batches", ["url": Self.victoriaURL]) ?? 0
        #expect(queued >= 3, "VictoriaMetrics' queue during the outage: \(queued) batches")

        // The order of events: the drain began while the receiver was down, the agent was
        // still waiting 3 s after SIGTERM, and it exited only after the receiver came back.
        let stopped = try context.event("victoria_stopped")
        let terminated = try context.event("sigterm")
        let restarted = try context.event("victoria_started")
        let exited = try context.event("agent_exited")
        let draining = try context.logTime("stopping: draining the remote-write queues")
        #expect(try results.environment("shutdown.env")["running_before_restart"] == "yes")
        #expect(draining < restarted, "the drain began at \(draining), the receiver came back at \(restarted)")
        #expect(exited > restarted, "the agent exited at \(exited), the receiver came back at \(restarted)")
        let reachable = context.log.filter { $0.message == "remote-write receiver reachable again" }
        #expect(
            reachable.contains { ($0.milliseconds ?? 0) >= draining }, "no delivery after the drain began: \(reachable)"
        )

        // Every cycle of the outage is stored, and none began once the drain had begun.
        let outage = context.cycles.filter { $0 > stopped }
        #expect(outage.count >= 3, "cycles during the outage: \(outage)")
        let victoria = try StoredSeries.parseVictoriaExport(try results.text("victoria-export.jsonl"))
        let stored = Set(victoria.filter { $0.name == "ipvs_up" }.flatMap(\.points).map(\.timestamp))
        #expect(
            Set(outage).isSubset(of: stored), "outage cycles not stored: \(Set(outage).subtracting(stored).sorted())")
        let last = try #require(context.cycles.last)
        #expect(last <= draining, "a cycle at \(last) after the drain began at \(draining) (SIGTERM at \(terminated))")

        let messages = context.log.map(\.message)
        #expect(messages.contains("stopping: draining the remote-write queues"))
        for unwanted in ["remote-write queue not drained before stopping", "cannot queue for remote write"] {
            #expect(!messages.contains(unwanted), "the log says \"\(unwanted)\"")
        }
        #expect(
            context.log.contains { $0.message == "remote-write request failed; retrying" },
            "the outage left no trace in the log")

        // Nothing dropped by either sender, as their own last reports say.
        let prometheus = try PrometheusExport.parse(
            Data(try results.bytes("prometheus-export.json")), source: results.path("prometheus-export.json"))
        let dropped = prometheus.filter { $0.name == "ipvs_push_remote_write_samples_dropped_total" }
        #expect(Set(dropped.compactMap { $0.labels["url"] }) == [Self.victoriaURL, Self.prometheusURL])
        let nonZero = dropped.filter { $0.points.contains { $0.value != 0 } }
        #expect(nonZero.isEmpty, "samples dropped: \(nonZero)")
    }

    // MARK: Secrets

    @Test("no output file of the run holds a credential of the configuration, debug logging included")
    func secretsNowhere() async throws {
        let context = try await Self.context()
        #expect(context.log.count >= 50, "only \(context.log.count) log lines at debug level")
        #expect(context.log.contains { $0.level == "debug" }, "no debug lines")
        var forms: [String] = []
        for (secret, user) in context.run.secrets {
            forms.append(secret)
            if let user { forms.append(Data("\(user):\(secret)".utf8).base64EncodedString()) }
        }
        let root = context.results.directory
        let enumerator = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil))
        var checked: [String] = []
        for case let url as URL in enumerator {
            let relative = String(url.path.dropFirst(root.path.count + 1))
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                relative != AgentRunLab.secretsFile
            else { continue }
            let data = try Data(contentsOf: url)
            checked.append(relative)
            for form in forms {
                #expect(data.range(of: Data(form.utf8)) == nil, "\(url.path) holds a credential")
            }
        }
        for file in [
            "logs/agent.log", "logs/pushgateway.log", "logs/victoria-metrics.log", "logs/prometheus.log",
            "scenario.stderr", "console.log", "metrics-a.prom", "config.redacted.yml",
        ] {
            #expect(checked.contains(file), "\(file) was not there to check (\(checked.sorted()))")
        }
    }
}
