import Exposition
import Foundation
import TestSupport
import Testing

@testable import RemoteWrite

@Suite("Remote-write self metrics")
struct SelfMetricsTests {
    /// A sender whose receiver refuses everything, so batches pile up against a small
    /// queue bound.
    func saturatedSender() async throws -> (RemoteWriteSender, ScriptedHTTPServer) {
        let receiver = try ScriptedHTTPServer([.respond(status: 503)])
        var configuration = testConfiguration(
            url: "http://robot:hunter2@127.0.0.1:\(receiver.port)/api/v1/write", protocolVersion: .v2)
        configuration.queueMaxBytes = 4096
        let sender = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        try await whileRunning(sender) {
            for cycle in 1...4 {
                try await sender.enqueue(
                    families: ipvsFamilies(services: 20, serversPerService: 5),
                    timestampMilliseconds: Int64(cycle) * 1000)
            }
            try await waitUntil("retries happen") { (sender.metric("ipvs_push_remote_write_retries_total") ?? 0) >= 2 }
        }
        return (sender, receiver)
    }

    @Test func queueBoundDropsTheOldestAndTheMetricsSaySo() async throws {
        let (sender, _) = try await saturatedSender()
        let queueBytes = try #require(sender.metric("ipvs_push_remote_write_queue_bytes"))
        #expect(queueBytes > 0 && queueBytes <= 4096)
        #expect(sender.metric("ipvs_push_remote_write_queue_max_bytes") == 4096)
        let dropped = try #require(
            sender.metric("ipvs_push_remote_write_samples_dropped_total", ["reason": "queue_full", "protocol": "2.0"]))
        #expect(dropped > 0)
        #expect(sender.metric("ipvs_push_remote_write_samples_sent_total") == 0)
        #expect(sender.metric("ipvs_push_remote_write_last_success_timestamp_seconds") == 0)
        #expect((sender.metric("ipvs_push_remote_write_samples_failed_total") ?? 0) > 0)
    }

    @Test func selfMetricsAreValidExpositionWithoutCredentials() async throws {
        let (sender, _) = try await saturatedSender()
        let families = sender.selfMetrics()
        for family in families {
            for sample in family.samples {
                #expect(sample.labels["url"]?.contains("hunter2") == false)
                #expect(sample.labels["url"]?.hasPrefix("http://127.0.0.1:") == true)
            }
        }
        let text = ExpositionRenderer.render(families, format: .prometheus)
        let parsed = try ExpositionParser.parse(text, source: "self metrics", format: .prometheus)
        #expect(parsed.families.sorted { $0.name < $1.name } == families.sorted { $0.name < $1.name })

        let promtool = try await ChildProcess.run(
            "/usr/bin/promtool", ["check", "metrics"], stdin: Data(text), output: .merged)
        #expect(promtool.status == 0, "promtool check metrics: \(promtool.stdout)")
    }
}
