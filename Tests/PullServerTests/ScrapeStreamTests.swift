import Exposition
import Foundation
import PullServer
import TestSupport
import Testing

/// Bodies of many pieces (ScrapeStream renders and writes about 256 KiB at a time):
/// every framing and encoding a client can ask for gets exactly the rendered document.
@Suite("Pull server: bodies streamed in pieces")
struct ScrapeStreamTests {
    /// About 2.6 MB of text: ten pieces and more, and families that span pieces.
    static let families: [MetricFamily] = {
        let labels = (0..<10_000).map { index in
            Labels([
                "address": "10.\(index / 65536).\(index / 256 % 256).\(index % 256)", "port": "80",
                "protocol": "TCP", "scheduler": "wrr",
            ])
        }
        return ["ipvs_test_connections_total", "ipvs_test_incoming_bytes_total", "ipvs_test_weight"].map { name in
            MetricFamily(
                name: name, type: name.hasSuffix("_total") ? .counter : .gauge, help: "Test family \(name).",
                samples: labels.enumerated().map { index, labels in
                    Sample(name: name, labels: labels, value: Double(index) * 1.5)
                })
        }
    }()

    @Test("identity, gzip, OpenMetrics and HTTP/1.0 bodies equal the rendered document")
    func everyFraming() async throws {
        let text = ExpositionFormat.prometheus.expectedBody(Self.families)
        #expect(text.count > 10 * 256 * 1024)
        try await withServer(source: StaticSource(Self.families)) { _, base in
            let plain = try await Curl.run(base + "/metrics")
            #expect(plain.status == 200)
            #expect(plain.headers["transfer-encoding"] == "chunked")
            #expect(Array(plain.body) == text)

            let gzip = try await Curl.run(base + "/metrics", ["-H", "Accept-Encoding: gzip"])
            #expect(gzip.headers["content-encoding"] == "gzip")
            #expect(gzip.body.count < text.count / 5)
            let gunzip = try await ProcessRunner.run("/usr/bin/gzip", ["-d", "-c"], input: gzip.body)
            #expect(gunzip.exitCode == 0, "gzip -d: \(String(decoding: gunzip.standardError, as: UTF8.self))")
            #expect(Array(gunzip.standardOutput) == text)

            let openMetrics = try await Curl.run(base + "/metrics", ["-H", "Accept: \(prometheusAccept)"])
            #expect(Array(openMetrics.body) == ExpositionFormat.openMetrics.expectedBody(Self.families))

            let old = try await Curl.run(base + "/metrics", ["--http1.0"])
            #expect(old.exitCode == 0)
            #expect(old.headers["connection"] == "close")
            #expect(Array(old.body) == text)
        }
    }

    @Test("two streamed scrapes over one keep-alive connection, each complete")
    func keepAlive() async throws {
        let size = ExpositionFormat.prometheus.expectedBody(Self.families).count
        try await withServer(source: StaticSource(Self.families)) { _, base in
            let twice = try await Curl.run(
                base + "/metrics",
                ["-o", "/dev/null", base + "/metrics", "-w", "%{num_connects} %{size_download} "])
            #expect(twice.exitCode == 0)
            #expect(twice.writeOut == "1 \(size) 0 \(size) ")
        }
    }

    @Test("a client that leaves in the middle of a body does not disturb the next scrape")
    func clientLeavesMidBody() async throws {
        let text = ExpositionFormat.prometheus.expectedBody(Self.families)
        try await withServer(source: StaticSource(Self.families)) { _, base in
            // 100 KiB/s for at most one second: curl gives up long before the end.
            let slow = try await Curl.run(base + "/metrics", ["--limit-rate", "100K"], timeout: 1)
            #expect(slow.exitCode != 0)
            #expect(slow.body.count < text.count)
            let next = try await Curl.run(base + "/metrics")
            #expect(next.exitCode == 0)
            #expect(Array(next.body) == text)
        }
    }
}
