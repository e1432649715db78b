import Exposition
import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ipvs-push run --config FILE` on this machine (no IPVS needed: the host namespace then
/// reports `ipvs_up 0`): one configuration file drives a real Pushgateway, VictoriaMetrics and
/// Prometheus' remote-write receiver and `/metrics` at once; SIGHUP with a changed file, then
/// with an invalid one; then VictoriaMetrics goes down, a backlog builds up in the on-disk
/// queue, SIGTERM comes during the outage and VictoriaMetrics comes back: the agent waits for
/// it, drains and exits 0, and both receivers hold every cycle the agent logged. No output,
/// log or file of the run holds a credential of the configuration.
@Suite("run --config: every sink at once, SIGHUP, SIGTERM with a backlog, no secrets in any output")
struct RunConfigTests {
    /// The credentials of the configuration (the servers ignore them).
    struct Secrets {
        var victoriaPassword = "vmpw-\(UUID().uuidString)"
        var prometheusToken = "promtok-\(UUID().uuidString)"
        var pushgatewayPassword = "pgpw-\(UUID().uuidString)"

        /// Every form a credential could leak in: itself, and basic authentication's header value.
        var forms: [String] {
            [
                victoriaPassword, Data("run-victoria:\(victoriaPassword)".utf8).base64EncodedString(),
                prometheusToken, pushgatewayPassword,
                Data("run-pushgateway:\(pushgatewayPassword)".utf8).base64EncodedString(),
            ]
        }
    }

    /// The servers, the files and the agent of one test.
    struct Setup {
        var pushgateway: ExternalServer
        var victoria: ExternalServer
        var prometheus: ExternalServer
        var files: ScratchFiles
        var secrets = Secrets()
        var metricsPort = FreePort.allocate()

        var victoriaWrite: String { victoria.baseURL + "/api/v1/write" }
        var prometheusWrite: String { prometheus.baseURL + "/api/v1/write" }
        var configPath: String { files.path("agent.yml") }
        var queuePath: String { files.path("queue") }

        /// Writes the configuration file (atomically, so a reload never reads half of it).
        /// `reloadLabel` adds an external label; with it, Prometheus' entry also gets a
        /// `write_relabel_configs` rule that drops `ipvs_collect_duration_seconds`.
        func writeConfig(job: String, reloadLabel: String?, interval: String = "1s") throws {
            let relabel =
                reloadLabel == nil
                ? ""
                : """
                    write_relabel_configs:
                      - source_labels: [__name__]
                        regex: ipvs_collect_duration_seconds
                        action: drop
                """
            let text = """
                # ipvs-push run --config, RunConfigTests
                global:
                  interval: \(interval)
                  shutdown_grace: 120s
                  external_labels:
                    lab: run-config
                \(reloadLabel.map { "    reload: \"\($0)\"" } ?? "")
                  queue_directory: queue
                pushgateway:
                  url: \(pushgateway.baseURL)
                  job: \(job)
                  instance: test-host
                  timeout: 10s
                  basic_auth:
                    username: run-pushgateway
                    password: "\(secrets.pushgatewayPassword)"
                remote_write:
                  - url: \(victoriaWrite)
                    name: victoria
                    remote_timeout: 10s
                    basic_auth:
                      username: run-victoria
                      password_file: victoria-password
                    headers:
                      X-Test-Sink: victoria
                    queue_config:
                      min_backoff: 100ms
                      max_backoff: 1s
                  - url: \(prometheusWrite)
                    name: prometheus
                    remote_timeout: 10s
                    authorization:
                      credentials: "\(secrets.prometheusToken)"
                    queue_config:
                      max_backoff: 1s
                \(relabel)
                serve:
                  listen_address: 127.0.0.1:\(metricsPort)

                """
            try files.write("agent.yml.tmp", text)
            guard rename(files.path("agent.yml.tmp"), configPath) == 0 else {
                throw TestFailure("cannot rename the configuration into place: errno \(errno)")
            }
        }

        /// `/metrics`, parsed, and its text.
        func scrape() async throws -> (parsed: ParsedExposition, text: String) {
            let response = try await TestHTTP.request("http://127.0.0.1:\(metricsPort)/metrics")
            guard response.status == 200 else { throw TestFailure("GET /metrics answered \(response.status)") }
            return (
                try ExpositionParser.parse(Array(response.body), source: "/metrics", format: .prometheus),
                response.text
            )
        }

        func groups(job: String) async throws -> [PushgatewayGroup] {
            let response = try await TestHTTP.request(pushgateway.baseURL + "/api/v1/metrics")
            guard response.status == 200 else { throw TestFailure("/api/v1/metrics answered \(response.status)") }
            return try PushgatewayGroup.parse(response.body).filter { $0.labels["job"] == job }
        }

        func prometheusSeries(_ selector: String) async throws -> [StoredSeries] {
            try await ReceiverReadBack.prometheus(
                prometheus.baseURL, selector, at: RemoteWriteSendTests.milliseconds() + 60_000)
        }
    }

    static let expectedUp: Double = HostIPVS.available ? 1 : 0

    /// The value of the sample `name` whose labels include `labels`.
    static func value(_ scrape: ParsedExposition, _ name: String, _ labels: [String: String] = [:]) -> Double? {
        scrape.families.lazy.flatMap(\.samples).first { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }

    /// The JSON log lines of `stderr`; every line must be one.
    static func logLines(_ stderr: String) throws -> [[String: String]] {
        try stderr.split(separator: "\n").map { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String],
                object["time"] != nil, object["level"] != nil, object["msg"] != nil
            else { throw TestFailure("not a JSON log line: \(line.prefix(300))") }
            return object
        }
    }

    static func cycles(_ lines: [[String: String]]) -> [Int64] {
        lines.filter { $0["msg"] == "collected" && $0["source"] == "Agent" }.compactMap {
            $0["timestamp_ms"].flatMap { Int64($0) }
        }
    }

    /// Polls `condition` until it holds; on a timeout the failure shows the agent's log.
    static func waitUntil(
        agent: ChildProcess, _ what: String, seconds: Double = 90, _ condition: () async throws -> Bool
    ) async throws {
        do {
            try await TestSupport.waitUntil(what, timeout: .seconds(seconds), poll: .milliseconds(250), condition)
        } catch {
            throw TestFailure(
                "\(error)\n--- the agent's log (running: \(agent.isRunning)) ---\n\(agent.stderrSoFar().suffix(4000))")
        }
    }

    @Test("one file drives the Pushgateway, two remote-write receivers and /metrics; reloads; drains at SIGTERM")
    func productionRun() async throws {
        let setup = Setup(
            pushgateway: try await ExternalServer.pushgateway(), victoria: try await ExternalServer.victoriaMetrics(),
            prometheus: try await ExternalServer.prometheus(), files: try ScratchFiles())
        defer {
            setup.pushgateway.stop()
            setup.victoria.stop()
            setup.prometheus.stop()
        }
        try setup.files.write("victoria-password", setup.secrets.victoriaPassword + "\n")
        try setup.writeConfig(job: "run-config", reloadLabel: nil)
        let check = try await CLIRun.run(["check-config", setup.configPath], timeout: 180)
        #expect(check.status == 0, "\(check)")

        let agent = try CLIRun.start([
            "run", "--config", setup.configPath, "--log-format", "json", "--log-level", "debug",
        ])
        var scrapes: [String] = []
        func scrape() async throws -> ParsedExposition {
            let (parsed, text) = try await setup.scrape()
            scrapes.append(text)
            return parsed
        }

        // 1. Every sink gets each collection, the agent's own metrics included.
        try await Self.waitUntil(agent: agent, "both receivers acknowledged 3 batches and the gateway has the group") {
            guard agent.isRunning, let metrics = try? await scrape() else { return false }
            let sent = [setup.victoriaWrite, setup.prometheusWrite].map {
                Self.value(metrics, "ipvs_push_remote_write_batches_sent_total", ["url": $0]) ?? 0
            }
            let groups = try await setup.groups(job: "run-config")
            return sent.allSatisfy { $0 >= 3 } && groups.count == 1
        }
        let first = try await scrape()
        #expect(Self.value(first, "ipvs_up", ["namespace": ""]) == Self.expectedUp)
        #expect(Self.value(first, "ipvs_push_config_last_reload_successful") == 1)
        let group = try #require(try await setup.groups(job: "run-config").first)
        #expect(group.labels == ["job": "run-config", "instance": "test-host", "namespace": ""], "\(group.labels)")
        #expect(group.lastPushSuccessful)
        #expect(group.series[PushgatewaySeries("ipvs_up", group.labels)] == Self.expectedUp, "\(group.series.keys)")
        #expect(group.families["ipvs_push_remote_write_samples_sent_total"] != nil, "\(group.families.keys.sorted())")
        #expect(group.families["ipvs_push_config_last_reload_successful"] != nil)
        for (receiver, series) in [
            ("VictoriaMetrics", try await ReceiverReadBack.victoria(setup.victoria.baseURL, "{__name__=~\"ipvs_.+\"}")),
            ("Prometheus", try await setup.prometheusSeries("{__name__=~\"ipvs_.+\"}")),
        ] {
            let up = series.filter { $0.name == "ipvs_up" }
            #expect(up.map(\.labels) == [["__name__": "ipvs_up", "lab": "run-config"]], "\(receiver): \(up)")
            #expect(up.allSatisfy { $0.points.allSatisfy { $0.value == Self.expectedUp } }, "\(receiver): \(up)")
            let sent = series.filter { $0.name == "ipvs_push_remote_write_samples_sent_total" }
            #expect(
                Set(sent.compactMap { $0.labels["url"] }) == [setup.victoriaWrite, setup.prometheusWrite],
                "\(receiver): \(sent.map(\.key))")
        }

        // 2. SIGHUP with a changed file: a new external label and a new Pushgateway job.
        try setup.writeConfig(job: "run-config-2", reloadLabel: "2")
        let hangup = RemoteWriteSendTests.milliseconds()
        agent.signal(SIGHUP)
        try await Self.waitUntil(agent: agent, "the changed file was applied and reached every sink") {
            guard agent.stderrSoFar().contains("\"msg\":\"configuration applied\"") else { return false }
            let victoria = try await ReceiverReadBack.victoria(setup.victoria.baseURL, "ipvs_up{reload=\"2\"}")
            let prometheus = try await setup.prometheusSeries("ipvs_up{reload=\"2\"}")
            let groups = try await setup.groups(job: "run-config-2")
            return !victoria.isEmpty && !prometheus.isEmpty && groups.count == 1
        }
        let reloaded = try await scrape()
        #expect(Self.value(reloaded, "ipvs_push_config_last_reload_successful") == 1)
        let loaded = try #require(Self.value(reloaded, "ipvs_push_config_last_reload_success_timestamp_seconds"))
        #expect(loaded >= Double(hangup / 1000) - 1, "the last successful load \(loaded), SIGHUP at \(hangup)")

        // 3. SIGHUP with an invalid file: rejected, the agent keeps running the previous one.
        try setup.writeConfig(job: "run-config-3", reloadLabel: "3", interval: "every-second")
        agent.signal(SIGHUP)
        try await Self.waitUntil(agent: agent, "the invalid file was rejected") {
            agent.stderrSoFar().contains("\"msg\":\"configuration reload rejected")
        }
        let rejectedAt = Self.cycles(try Self.logLines(agent.stderrSoFar())).count
        try await Self.waitUntil(agent: agent, "/metrics reports the rejection and cycles go on") {
            guard let metrics = try? await scrape() else { return false }
            let cycles = Self.cycles(try Self.logLines(agent.stderrSoFar())).count
            return Self.value(metrics, "ipvs_push_config_last_reload_successful") == 0 && cycles >= rejectedAt + 3
        }
        #expect(agent.isRunning)
        let invalid = try await scrape()
        #expect(Self.value(invalid, "ipvs_push_config_last_reload_success_timestamp_seconds") == loaded)
        #expect(try await setup.groups(job: "run-config-3").isEmpty, "the rejected file's job was pushed")

        // 4. VictoriaMetrics goes down; a backlog builds up on disk; SIGTERM; it comes back.
        setup.victoria.stop(removeData: false)
        let stopped = RemoteWriteSendTests.milliseconds()
        let cyclesBefore = Self.cycles(try Self.logLines(agent.stderrSoFar())).count
        try await Self.waitUntil(agent: agent, "3 cycles queued for VictoriaMetrics") {
            guard let metrics = try? await scrape() else { return false }
            let cycles = Self.cycles(try Self.logLines(agent.stderrSoFar())).count
            let queued = Self.value(metrics, "ipvs_push_remote_write_queue_batches", ["url": setup.victoriaWrite]) ?? 0
            return cycles >= cyclesBefore + 3 && queued >= 3
        }
        agent.signal(SIGTERM)
        // Stopping, it waits for the receiver (shutdown grace 120 s) and drains into it.
        try await Task.sleep(for: .seconds(2))
        #expect(agent.isRunning, "the agent did not wait for the receiver to come back")
        try await setup.victoria.restart()
        let result = try await agent.finish(timeout: 180)
        #expect(result.status == 0 && !result.signalled, "\(result)")

        // 5. The log: JSON lines, each cycle's time, the reloads, the drain.
        let lines = try Self.logLines(result.stderr)
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        let messages = lines.compactMap { $0["msg"] }
        let cycles = Self.cycles(lines)
        #expect(cycles.count >= 9 && zip(cycles, cycles.dropFirst()).allSatisfy { $0 < $1 }, "\(cycles)")
        #expect(messages.filter { $0 == "reloading the configuration" }.count == 2)
        let rejection = try #require(lines.first { $0["msg"]?.hasPrefix("configuration reload rejected") == true })
        #expect(rejection["level"] == "error")
        #expect(
            rejection["error"]?.contains("agent.yml:3:") == true
                && rejection["error"]?.contains("every-second") == true,
            "\(rejection)")
        #expect(messages.contains("stopping: draining the remote-write queues"))
        for unwanted in ["remote-write queue not drained before stopping", "cannot queue for remote write"] {
            #expect(!messages.contains(unwanted), "the log says \"\(unwanted)\": \(result)")
        }
        let outage = cycles.filter { $0 > stopped }
        #expect(outage.count >= 3, "cycles during the outage: \(outage)")

        // 6. Both receivers hold exactly the cycles the agent ran; the labels follow the reload.
        let applied = try #require(
            lines.first { $0["msg"] == "configuration applied" }?["time"].flatMap { Self.milliseconds($0) })
        for (receiver, up) in [
            ("VictoriaMetrics", try await ReceiverReadBack.victoria(setup.victoria.baseURL, "ipvs_up")),
            ("Prometheus", try await setup.prometheusSeries("ipvs_up")),
        ] {
            let times = up.flatMap(\.points).map(\.timestamp).sorted()
            #expect(
                times == cycles,
                """
                \(receiver): \(times.count) samples for \(cycles.count) cycles; missing \
                \(Set(cycles).subtracting(times).sorted()), not a cycle \(Set(times).subtracting(cycles).sorted())
                """)
            #expect(up.allSatisfy { $0.points.allSatisfy { $0.value == Self.expectedUp } }, "\(receiver): \(up)")
            let before = up.filter { $0.labels["reload"] == nil }.flatMap(\.points).map(\.timestamp)
            let after = up.filter { $0.labels["reload"] == "2" }.flatMap(\.points).map(\.timestamp)
            #expect(before.count + after.count == times.count, "\(receiver): \(up.map(\.key))")
            #expect(
                (before.max() ?? 0) < (after.min() ?? 0) && (before.max() ?? 0) <= applied
                    && (after.min() ?? 0) >= hangup,
                """
                \(receiver): old labels until \(before.max() ?? 0), new from \(after.min() ?? 0); SIGHUP \(hangup), \
                applied \(applied)
                """)
        }
        // The new file's write_relabel_configs applies to Prometheus only.
        let durations = try await setup.prometheusSeries("ipvs_collect_duration_seconds")
        #expect(durations.map(\.labels["reload"]) == [nil], "\(durations.map(\.key))")
        let victoriaDurations = try await ReceiverReadBack.victoria(
            setup.victoria.baseURL, "ipvs_collect_duration_seconds")
        #expect(Set(victoriaDurations.map(\.labels["reload"])) == [nil, "2"], "\(victoriaDurations.map(\.key))")
        let dropped = try await setup.prometheusSeries("ipvs_push_remote_write_samples_dropped_total")
        #expect(!dropped.isEmpty)
        #expect(dropped.allSatisfy { $0.points.allSatisfy { $0.value == 0 } }, "samples dropped: \(dropped)")
        #expect(try await setup.groups(job: "run-config-2").first?.lastPushSuccessful == true)

        // 7. No credential anywhere: the agent's output, every server's log, every scrape, what the
        // receivers stored, and the queue files.
        var texts: [(String, Data)] = [
            ("stdout", Data(result.stdout.utf8)), ("stderr", Data(result.stderr.utf8)),
            (
                "victoria export",
                try await TestHTTP.request(
                    setup.victoria.baseURL + "/api/v1/export?match%5B%5D=%7B__name__%21%3D%22%22%7D"
                ).body
            ),
        ]
        for server in [setup.pushgateway, setup.victoria, setup.prometheus] {
            texts.append((server.logFile.path, (try? Data(contentsOf: server.logFile)) ?? Data()))
        }
        for (index, text) in scrapes.enumerated() { texts.append(("scrape \(index)", Data(text.utf8))) }
        if let queue = FileManager.default.enumerator(atPath: setup.queuePath) {
            for case let file as String in queue {
                if let data = FileManager.default.contents(atPath: setup.queuePath + "/" + file) {
                    texts.append((setup.queuePath + "/" + file, data))
                }
            }
        }
        #expect(texts.count > 8 && lines.count > 50, "\(texts.map(\.0)), \(lines.count) log lines")
        for (name, data) in texts {
            for form in setup.secrets.forms {
                #expect(data.range(of: Data(form.utf8)) == nil, "\(name) holds a credential")
            }
        }
    }

    @Test("SIGHUP while a receiver is down applies at once, collection goes on, and the queue carries over")
    func reloadDuringOutage() async throws {
        let victoria = try await ExternalServer.victoriaMetrics()
        defer { victoria.stop() }
        let files = try ScratchFiles()
        let metricsPort = FreePort.allocate()
        func writeConfig(version: Int) throws {
            try files.write(
                "agent.yml.tmp",
                """
                global:
                  interval: 1s
                  shutdown_grace: 120s
                  external_labels:
                    version: "\(version)"
                  queue_directory: queue
                remote_write:
                  - url: \(victoria.baseURL)/api/v1/write
                    queue_config:
                      min_backoff: 100ms
                      max_backoff: 1s
                serve:
                  listen_address: 127.0.0.1:\(metricsPort)

                """)
            guard rename(files.path("agent.yml.tmp"), files.path("agent.yml")) == 0 else {
                throw TestFailure("cannot rename the configuration into place: errno \(errno)")
            }
        }
        func cycles(_ agent: ChildProcess) throws -> [Int64] { Self.cycles(try Self.logLines(agent.stderrSoFar())) }
        func queued() async throws -> Double? {
            let response = try await TestHTTP.request("http://127.0.0.1:\(metricsPort)/metrics")
            let parsed = try ExpositionParser.parse(Array(response.body), source: "/metrics", format: .prometheus)
            return Self.value(parsed, "ipvs_push_remote_write_queue_batches")
        }
        try writeConfig(version: 1)
        let agent = try CLIRun.start([
            "run", "--config", files.path("agent.yml"), "--log-format", "json", "--log-level", "debug",
        ])
        try await Self.waitUntil(agent: agent, "VictoriaMetrics holds 3 cycles") {
            try await ReceiverReadBack.victoria(victoria.baseURL, "ipvs_up").flatMap(\.points).count >= 3
        }
        victoria.stop(removeData: false)
        let down = try cycles(agent).count
        try await Self.waitUntil(agent: agent, "2 cycles queued") { try cycles(agent).count >= down + 2 }

        // The receiver is still down: the reload must not wait for it (the grace is 120 s).
        try writeConfig(version: 2)
        agent.signal(SIGHUP)
        try await Self.waitUntil(
            agent: agent, "the reload applied and 3 cycles since, the receiver still down", seconds: 60
        ) {
            let lines = try Self.logLines(agent.stderrSoFar())
            guard let applied = lines.firstIndex(where: { $0["msg"] == "configuration applied" }) else { return false }
            return Self.cycles(Array(lines[applied...])).count >= 3
        }
        let applied = try #require(
            try Self.logLines(agent.stderrSoFar()).first { $0["msg"] == "configuration applied" })
        #expect(applied["remote_write_reopened"] == "1" && applied["remote_write_started"] == "1", "\(applied)")
        #expect((try await queued() ?? 0) >= 2, "the queue did not carry over the reload")

        try await victoria.restart()
        let back = try cycles(agent).count
        try await Self.waitUntil(agent: agent, "the queue drained") {
            let empty = try await queued() == 0
            return try cycles(agent).count >= back + 2 && empty
        }
        agent.signal(SIGTERM)
        let result = try await agent.finish(timeout: 180)
        #expect(result.status == 0 && !result.signalled, "\(result)")
        let lines = try Self.logLines(result.stderr)
        let all = Self.cycles(lines)
        #expect(!lines.contains { $0["msg"] == "cannot queue for remote write" }, "\(result)")
        let up = try await ReceiverReadBack.victoria(victoria.baseURL, "ipvs_up")
        let times = up.flatMap(\.points).map(\.timestamp).sorted()
        #expect(
            times == all,
            "\(times.count) stored for \(all.count) cycles: missing \(Set(all).subtracting(times).sorted())")
        let before = up.filter { $0.labels["version"] == "1" }.flatMap(\.points).map(\.timestamp)
        let after = up.filter { $0.labels["version"] == "2" }.flatMap(\.points).map(\.timestamp)
        #expect(
            before.count + after.count == times.count && (before.max() ?? 0) < (after.min() ?? 0),
            "\(up.map(\.key)): \(before.count) with version 1, \(after.count) with version 2")
    }

    @Test("a Pushgateway that never answers holds up neither collection nor remote write nor SIGTERM")
    func unresponsivePushgateway() async throws {
        // A socket that listens but never accepts: connections complete, requests go unanswered.
        let gateway = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(gateway >= 0)
        defer { close(gateway) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(gateway, $0, length) == 0 && getsockname(gateway, $0, &length) == 0 && listen(gateway, 64) == 0
            }
        }
        try #require(listening, "errno \(errno)")
        let gatewayPort = Int(UInt16(bigEndian: address.sin_port))

        let victoria = try await ExternalServer.victoriaMetrics()
        defer { victoria.stop() }
        let files = try ScratchFiles()
        try files.write(
            "agent.yml",
            """
            global:
              interval: 1s
              shutdown_grace: 5s
            pushgateway:
              url: http://127.0.0.1:\(gatewayPort)
              timeout: 10m
            remote_write:
              - url: \(victoria.baseURL)/api/v1/write

            """)
        let agent = try CLIRun.start([
            "run", "--config", files.path("agent.yml"), "--log-format", "json", "--log-level", "debug",
        ])
        // One push attempt takes 10 minutes: cycles and remote write must go on meanwhile.
        try await Self.waitUntil(agent: agent, "5 cycles stored in VictoriaMetrics", seconds: 120) {
            try await ReceiverReadBack.victoria(victoria.baseURL, "ipvs_up").flatMap(\.points).count >= 5
        }
        let lines = try Self.logLines(agent.stderrSoFar())
        let firstFailure = lines.firstIndex { $0["msg"] == "push failed" } ?? lines.count
        #expect(
            Self.cycles(Array(lines[..<firstFailure])).count >= 5, "cycles waited for the unanswered push")
        // Stopping gives the push in flight the shutdown grace (5 s), not its 10 minute timeout.
        agent.signal(SIGTERM)
        let result = try await agent.finish(timeout: 180)
        #expect(result.status == 0 && !result.signalled, "\(result)")
    }

    /// RFC 3339 with milliseconds, as the log writes it, in milliseconds since the epoch.
    static func milliseconds(_ time: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: time).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
