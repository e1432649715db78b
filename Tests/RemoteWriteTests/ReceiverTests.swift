import Exposition
import Foundation
import HTTPTransport
import TestSupport
import Testing

@testable import RemoteWrite

/// The sender against the real receivers from Debian's packages: what was sent is read
/// back through their query APIs.
@Suite("Remote write to real receivers", .serialized)
struct ReceiverTests {
    /// The series a collection should produce, keyed by their full label set.
    static func expectedSeries(_ families: [MetricFamily], external: [String: String]) -> [[String: String]: Double] {
        var result: [[String: String]: Double] = [:]
        for family in families {
            for sample in family.samples {
                var labels = external
                for label in sample.labels where !label.value.isEmpty { labels[label.name] = label.value }
                labels["__name__"] = sample.name
                result[labels] = sample.value
            }
        }
        return result
    }

    static func cycleFamilies(_ cycle: Int, services: Int = 3) -> [MetricFamily] {
        var families = ipvsFamilies(services: services, serversPerService: 2) { service, server in
            Double(cycle * 1000 + service * 10 + server) + 0.25
        }
        // A label with an empty value (absent) and one needing escaping in text formats.
        families.append(
            MetricFamily(
                name: "ipvs_test_info", type: .gauge, help: "Info with \"quotes\" and a \\ backslash.",
                samples: [
                    Sample(
                        name: "ipvs_test_info", labels: Labels(["empty": "", "text": "a \"b\" \\c\nd"]),
                        value: Double(cycle))
                ]))
        return families
    }

    @Test func prometheusStoresValuesTimestampsAndLabelsAndEndsVanishedSeries() async throws {
        let prometheus = try await ExternalServer.prometheus()
        defer { stopInBackground(prometheus) }
        var configuration = testConfiguration(url: prometheus.baseURL + "/api/v1/write", shards: 2)
        configuration.externalLabels = Labels(["agent": "test", "port": "must-not-win"])
        let sender = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        let start = nowMilliseconds() - 60_000
        let times = [start, start + 15_000, start + 30_000]
        for (cycle, time) in times.enumerated() {
            try await sender.enqueue(families: Self.cycleFamilies(cycle), timestampMilliseconds: time)
        }
        #expect(await sender.flush(deadline: .now + .seconds(20)))
        #expect(sender.metric("ipvs_push_remote_write_samples_dropped_total", ["reason": "receiver_rejected"]) == 0)

        let stored = try await ReceiverQueries.prometheusRaw(
            prometheus.baseURL, "{__name__=~\"ipvs_.+\"}", time: times[2] + 1)
        var expected: [[String: String]: [ReceiverQueries.Point]] = [:]
        for (cycle, time) in times.enumerated() {
            // The series' own `port` wins over the external one; the info series has none.
            let external = ["agent": "test", "port": "must-not-win"]
            for (labels, value) in Self.expectedSeries(Self.cycleFamilies(cycle), external: external) {
                expected[labels, default: []].append(.init(timestamp: time, value: value))
            }
        }
        #expect(stored.count == expected.count)
        for series in stored {
            #expect(expected[series.labels] == series.points, "\(series)")
        }

        // Service 2 disappears: its series get a staleness marker and vanish from
        // instant queries at once, not five minutes later.
        let fourth = times[2] + 15_000
        try await sender.enqueue(families: Self.cycleFamilies(3, services: 2), timestampMilliseconds: fourth)
        #expect(await sender.flush(deadline: .now + .seconds(20)))
        let selector = "ipvs_real_server_weight"
        #expect(try await ReceiverQueries.prometheusInstant(prometheus.baseURL, selector, time: fourth - 1).count == 6)
        let after = try await ReceiverQueries.prometheusInstant(prometheus.baseURL, selector, time: fourth + 1)
        #expect(after.count == 4)
        #expect(!after.contains { $0["address"] == "10.0.0.2" })
        #expect(sender.metric("ipvs_push_remote_write_stale_markers_total") == 5)
        await sender.close()
    }

    /// Prometheus 2.42 predates remote write 2.0 (2.54): it decodes a 2.0 body as an
    /// empty 1.0 request, answers 204 and writes nothing, and sends no
    /// X-Prometheus-Remote-Write-Samples-Written. The sender notices and falls back.
    @Test func prometheus242AnswersA2Request204WithoutWrittenCountAndTheSenderFallsBack() async throws {
        let prometheus = try await ExternalServer.prometheus()
        defer { stopInBackground(prometheus) }
        let url = prometheus.baseURL + "/api/v1/write"

        // What 2.42 answers to a 2.0 body, seen directly.
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 100)
        let time = nowMilliseconds() - 30_000
        let body = try encoder.encode(Self.cycleFamilies(0), timestamp: time, protocolVersion: .v2).batches[0].payload
        let client = try HTTPClient(logger: silentLogger)
        let raw = try await client.execute(
            HTTPRequest(method: .post, url: url, headers: RemoteWriteHeaders.fields(for: .v2, tenant: nil), body: body))
        #expect(raw.status == 204)
        #expect(raw.headers[RemoteWriteHeaders.samplesWritten] == nil)
        #expect(
            try await ReceiverQueries.prometheusRaw(prometheus.baseURL, "{__name__=~\"ipvs_.+\"}", time: time + 1)
                .isEmpty)

        let capture = LogCapture()
        let sender = try RemoteWriteSender(
            configuration: testConfiguration(url: url, protocolVersion: .v2),
            logger: capture.logger("test.remote-write", level: .debug))
        try await sender.enqueue(families: Self.cycleFamilies(1), timestampMilliseconds: time)
        #expect(await sender.flush(deadline: .now + .seconds(20)))
        #expect(sender.protocolVersion == .v1)
        #expect(capture.contains(.warning, "answered HTTP 204 without X-Prometheus-Remote-Write-Samples-Written"))
        let stored = try await ReceiverQueries.prometheusRaw(
            prometheus.baseURL, "{__name__=~\"ipvs_.+\"}", time: time + 1)
        let expected = Self.expectedSeries(Self.cycleFamilies(1), external: [:])
        #expect(stored.count == expected.count)
        for series in stored {
            #expect(series.points == [.init(timestamp: time, value: expected[series.labels] ?? -1)], "\(series)")
        }
    }

    @Test func victoriaMetricsStoresValuesTimestampsAndLabels() async throws {
        let victoria = try await ExternalServer.victoriaMetrics()
        defer { stopInBackground(victoria) }
        var configuration = testConfiguration(url: victoria.baseURL + "/api/v1/write", shards: 3)
        configuration.externalLabels = Labels(["agent": "test"])
        configuration.maxSamplesPerSend = 4
        let sender = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        let start = nowMilliseconds() - 60_000
        let times = [start, start + 15_000, start + 30_000]
        for (cycle, time) in times.enumerated() {
            try await sender.enqueue(families: Self.cycleFamilies(cycle), timestampMilliseconds: time)
        }
        #expect(await sender.flush(deadline: .now + .seconds(20)))
        let stored = try await ReceiverQueries.victoriaExport(victoria.baseURL, "{__name__=~\"ipvs_.+\"}")
        var expected: [[String: String]: [ReceiverQueries.Point]] = [:]
        for (cycle, time) in times.enumerated() {
            for (labels, value) in Self.expectedSeries(Self.cycleFamilies(cycle), external: ["agent": "test"]) {
                expected[labels, default: []].append(.init(timestamp: time, value: value))
            }
        }
        #expect(stored.count == expected.count)
        for series in stored {
            #expect(expected[series.labels] == series.points, "\(series)")
        }
        #expect(sender.metric("ipvs_push_remote_write_samples_sent_total") == Double(expected.count * 3))
    }

    @Test func victoriaMetricsGets1WhenAsked2() async throws {
        let victoria = try await ExternalServer.victoriaMetrics()
        defer { stopInBackground(victoria) }
        let capture = LogCapture()
        let sender = try RemoteWriteSender(
            configuration: testConfiguration(url: victoria.baseURL + "/api/v1/write", protocolVersion: .v2),
            logger: capture.logger("test.remote-write", level: .debug))
        let time = nowMilliseconds() - 10_000
        try await sender.enqueue(families: Self.cycleFamilies(0), timestampMilliseconds: time)
        #expect(await sender.flush(deadline: .now + .seconds(20)))
        #expect(sender.protocolVersion == .v1)
        #expect(capture.contains(.warning, "answered HTTP 204 without X-Prometheus-Remote-Write-Samples-Written"))
        let stored = try await ReceiverQueries.victoriaExport(victoria.baseURL, "{__name__=~\"ipvs_.+\"}")
        #expect(stored.count == Self.expectedSeries(Self.cycleFamilies(0), external: [:]).count)
    }
}
