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
            let gunzip = try await ChildProcess.run("/usr/bin/gzip", ["-d", "-c"], stdin: gzip.body)
            #expect(gunzip.status == 0, "gzip -d: \(String(decoding: gunzip.standardError, as: UTF8.self))")
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

    @Test("a ScrapeDocumentSource is rendered from its document, with the self metrics merged in by name")
    func documentSource() async throws {
        let source = DocumentSource(Self.families)
        let configuration = MetricsServerConfiguration(listenAddress: "127.0.0.1:0", exposesSelfMetrics: true)
        try await withServer(configuration, source: source) { _, base in
            for accept in ["text/plain", prometheusAccept] {
                let response = try await Curl.run(base + "/metrics", ["-H", "Accept: \(accept)"])
                #expect(response.status == 200)
                // Rendered from the families directly, the self metrics sort between them.
                let selfMetrics = response.text.split(separator: "\n").filter { $0.hasPrefix("ipvs_push_scrape_") }
                #expect(!selfMetrics.isEmpty)
                let withoutSelf = response.text.split(separator: "\n", omittingEmptySubsequences: false).filter {
                    !$0.contains("ipvs_push_scrape_")
                }.joined(separator: "\n")
                let format: ExpositionFormat = accept == "text/plain" ? .prometheus : .openMetrics
                #expect(withoutSelf == String(decoding: format.expectedBody(Self.families), as: UTF8.self))
                let names = response.text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map {
                    $0.split(separator: " ")[2]
                }
                #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            }
            let head = try await Curl.run(base + "/metrics", ["-I"])
            #expect(head.status == 200)
            #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 2_000_000)
        }
        #expect(await source.documentCalls == 3)
        #expect(await source.familyCalls == 0)
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

/// A source that offers a document (here: the chunk renderer over fixed families) and
/// counts which way the server collected.
actor DocumentSource: ScrapeDocumentSource {
    private let families: [MetricFamily]
    private(set) var documentCalls = 0
    private(set) var familyCalls = 0

    init(_ families: [MetricFamily]) {
        self.families = families
    }

    func collect() async -> [MetricFamily] {
        familyCalls += 1
        return families
    }

    func collectDocument() async -> ScrapeDocumentFactory {
        documentCalls += 1
        let families = self.families
        return ScrapeDocumentFactory { format, extra in ExpositionChunkRenderer(families + extra, format: format) }
    }
}
