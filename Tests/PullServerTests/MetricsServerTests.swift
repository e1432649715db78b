import Exposition
import Foundation
import PullServer
import TestSupport
import Testing

@Suite("Pull server over real HTTP (curl)")
struct MetricsServerTests {
    @Test("text 0.0.4 without an Accept header, and for a plain-text Accept")
    func textFormat() async throws {
        try await withServer(source: StaticSource()) { _, base in
            for arguments in [[], ["-H", "Accept: text/plain"], ["-H", "Accept: */*"]] {
                let response = try await Curl.run(base + "/metrics", arguments)
                #expect(response.status == 200)
                #expect(response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
                // Rendered while it is sent: chunked, no Content-Length.
                #expect(response.headers["transfer-encoding"] == "chunked")
                #expect(response.headers["content-length"] == nil)
                #expect(response.headers["content-encoding"] == nil)
                #expect(Array(response.body) == ExpositionFormat.prometheus.expectedBody())
            }
        }
    }

    @Test("OpenMetrics 1.0 for Prometheus' Accept header")
    func openMetricsFormat() async throws {
        try await withServer(source: StaticSource()) { _, base in
            let response = try await Curl.run(base + "/metrics", ["-H", "Accept: \(prometheusAccept)"])
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
            #expect(Array(response.body) == ExpositionFormat.openMetrics.expectedBody())
            #expect(response.text.hasSuffix("# EOF\n"))
        }
    }

    @Test("gzip when asked: a valid gzip stream of the same body, chunked")
    func gzip() async throws {
        // Large enough that compression visibly pays off.
        let many = (0..<500).map { index in
            Sample(
                name: "ipvs_test_bytes_total",
                labels: Labels(["address": "10.0.\(index / 250).\(index % 250)", "port": "80"]), value: Double(index))
        }
        let families = [MetricFamily(name: "ipvs_test_bytes_total", type: .counter, help: "Bytes.", samples: many)]
        try await withServer(source: StaticSource(families)) { _, base in
            let plain = try await Curl.run(base + "/metrics")
            #expect(Array(plain.body) == ExpositionFormat.prometheus.expectedBody(families))

            let raw = try await Curl.run(base + "/metrics", ["-H", "Accept-Encoding: gzip"])
            #expect(raw.status == 200)
            #expect(raw.headers["content-encoding"] == "gzip")
            #expect(raw.headers["transfer-encoding"] == "chunked")
            #expect(raw.headers["content-length"] == nil)
            #expect(raw.body.count < plain.body.count / 3)
            #expect(raw.body.prefix(2) == Data([0x1f, 0x8b]))
            let gunzip = try await ChildProcess.run("/usr/bin/gzip", ["-d", "-c"], stdin: raw.body)
            #expect(gunzip.status == 0, "gzip -d failed: \(String(decoding: gunzip.standardError, as: UTF8.self))")
            #expect(gunzip.standardOutput == plain.body)

            // curl's own decoder, as a scraper would use it.
            let decoded = try await Curl.run(base + "/metrics", ["--compressed"])
            #expect(decoded.exitCode == 0)
            #expect(decoded.body == plain.body)

            let refused = try await Curl.run(base + "/metrics", ["-H", "Accept-Encoding: gzip;q=0, identity"])
            #expect(refused.headers["content-encoding"] == nil)
            #expect(refused.body == plain.body)
        }
    }

    @Test("HEAD: the GET headers and Content-Length, no body, never compressed")
    func head() async throws {
        try await withServer(source: StaticSource()) { _, base in
            let get = try await Curl.run(base + "/metrics")
            for encoding in ["identity", "gzip"] {
                let head = try await Curl.run(base + "/metrics", ["-I", "-H", "Accept-Encoding: \(encoding)"])
                #expect(head.exitCode == 0)
                #expect(head.status == 200)
                #expect(head.headers["content-type"] == get.headers["content-type"])
                #expect(head.headers["content-length"] == String(get.body.count))
                #expect(head.headers["content-encoding"] == nil)
                // With -I curl writes the header block where the body would go.
                #expect(head.text.hasPrefix("HTTP/1.1 200 OK"))
            }
            // HEAD then GET over one connection: a body sent after the HEAD would be read as
            // the start of the GET's response and break it.
            let headThenGet = try await Curl.run(
                base + "/metrics",
                [
                    "-I", base + "/metrics", "--next", "-o", "/dev/null", "-w",
                    "%{num_connects} %{http_code} %{size_download}",
                ])
            #expect(headThenGet.exitCode == 0)
            #expect(headThenGet.writeOut == "0 200 \(get.body.count)")
        }
    }

    @Test("landing page at /, 404 elsewhere, 405 for other methods")
    func routing() async throws {
        try await withServer(source: StaticSource()) { _, base in
            let landing = try await Curl.run(base + "/")
            #expect(landing.status == 200)
            #expect(landing.headers["content-type"] == "text/html; charset=utf-8")
            #expect(landing.text.contains("<a href=\"/metrics\">"))

            for path in ["/nope", "/metrics/", "/metricsx", "/favicon.ico"] {
                let missing = try await Curl.run(base + path)
                #expect(missing.status == 404, "\(path)")
            }
            let query = try await Curl.run(base + "/metrics?debug=1")
            #expect(query.status == 200)

            for method in ["POST", "PUT", "DELETE"] {
                let refused = try await Curl.run(base + "/metrics", ["-X", method, "--data", "x"])
                #expect(refused.status == 405, "\(method)")
                #expect(refused.headers["allow"] == "GET, HEAD")
                #expect(refused.text.contains(method))
            }
            let postRoot = try await Curl.run(base + "/", ["-X", "POST"])
            #expect(postRoot.status == 405)
        }
    }

    @Test("a custom telemetry path, and / serving metrics when it is the telemetry path")
    func telemetryPath() async throws {
        let custom = MetricsServerConfiguration(
            listenAddress: "127.0.0.1:0", telemetryPath: "/ipvs", exposesSelfMetrics: false)
        try await withServer(custom, source: StaticSource()) { _, base in
            let customPath = try await Curl.run(base + "/ipvs")
            #expect(customPath.body == Data(ExpositionFormat.prometheus.expectedBody()))
            let defaultPath = try await Curl.run(base + "/metrics")
            #expect(defaultPath.status == 404)
            let landing = try await Curl.run(base + "/")
            #expect(landing.text.contains("href=\"/ipvs\""))
        }
        let root = MetricsServerConfiguration(
            listenAddress: "127.0.0.1:0", telemetryPath: "/", exposesSelfMetrics: false)
        try await withServer(root, source: StaticSource()) { _, base in
            let rootMetrics = try await Curl.run(base + "/")
            #expect(rootMetrics.body == Data(ExpositionFormat.prometheus.expectedBody()))
        }
    }

    @Test("keep-alive: two scrapes over one connection; HTTP/1.0 gets the body up to a close")
    func keepAlive() async throws {
        try await withServer(source: StaticSource()) { _, base in
            let twice = try await Curl.run(
                base + "/metrics", ["-o", "/dev/null", base + "/metrics", "-w", "%{num_connects} "])
            #expect(twice.exitCode == 0)
            #expect(twice.writeOut == "1 0 ")

            let old = try await Curl.run(base + "/metrics", ["--http1.0"])
            #expect(old.status == 200)
            #expect(old.headers["connection"] == "close")
            #expect(old.headers["content-length"] == nil)
            #expect(old.headers["transfer-encoding"] == nil)
            #expect(Array(old.body) == ExpositionFormat.prometheus.expectedBody())
        }
    }

    @Test("concurrent scrapes share one collection; a later scrape starts a new one")
    func singleFlight() async throws {
        let source = StaticSource(delay: .seconds(2))
        try await withServer(source: source) { _, base in
            let bodies = try await withThrowingTaskGroup(of: Curl.Response.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await Curl.run(
                            base + "/metrics", index.isMultiple(of: 2) ? [] : ["-H", "Accept: \(prometheusAccept)"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(await source.calls == 1)
            #expect(bodies.allSatisfy { $0.status == 200 })
            #expect(bodies.filter { Array($0.body) == ExpositionFormat.prometheus.expectedBody() }.count == 3)
            #expect(bodies.filter { Array($0.body) == ExpositionFormat.openMetrics.expectedBody() }.count == 3)

            let later = try await Curl.run(base + "/metrics")
            #expect(later.status == 200)
            #expect(await source.calls == 2)
        }
    }

    @Test("a collection slower than X-Prometheus-Scrape-Timeout-Seconds gets 503 in time")
    func scrapeTimeoutHeader() async throws {
        let source = StaticSource(delay: .seconds(3))
        try await withServer(source: source) { _, base in
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await Curl.run(base + "/metrics", ["-H", "X-Prometheus-Scrape-Timeout-Seconds: 1"])
            let elapsed = clock.now - start
            #expect(response.status == 503)
            #expect(response.text.contains("scrape timeout of 0.5s"))
            #expect(elapsed < .milliseconds(2500), "answered after \(elapsed)")
            // The collection went on; a scrape with time to spare gets its result.
            let later = try await Curl.run(base + "/metrics", ["-H", "X-Prometheus-Scrape-Timeout-Seconds: 10"])
            #expect(later.status == 200)
            #expect(Array(later.body) == ExpositionFormat.prometheus.expectedBody())
            #expect(await source.calls == 1)
        }
    }

    @Test("without the header the configured default timeout applies")
    func defaultTimeout() async throws {
        let configuration = MetricsServerConfiguration(
            listenAddress: "127.0.0.1:0", defaultScrapeTimeout: .milliseconds(300), exposesSelfMetrics: false)
        try await withServer(configuration, source: StaticSource(delay: .seconds(2))) { _, base in
            let response = try await Curl.run(base + "/metrics")
            #expect(response.status == 503)
            #expect(response.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(response.text.contains("0.3s"))
        }
    }

    @Test("self metrics count answered scrapes and collections, not scrapes whose client left")
    func selfMetricsAndDisconnect() async throws {
        let configuration = MetricsServerConfiguration(listenAddress: "127.0.0.1:0", exposesSelfMetrics: true)
        let source = StaticSource(delay: .milliseconds(1500))
        try await withServer(configuration, source: source) { _, base in
            // The client gives up long before the collection ends.
            let impatient = try await Curl.run(base + "/metrics", ["--max-time", "0.5"])
            #expect(impatient.exitCode == 28)
            #expect(await source.calls == 1)
            try await waitUntil("the abandoned collection's end") { await source.completed == 1 }

            let first = try await Curl.run(base + "/metrics")
            #expect(first.status == 200)
            let expectedFirst = Fixture.families + Self.selfMetrics(requests: [200: 0, 503: 0], collections: 2)
            #expect(
                first.text == String(decoding: ExpositionFormat.prometheus.expectedBody(expectedFirst), as: UTF8.self))

            let post = try await Curl.run(base + "/metrics", ["-X", "POST"])
            #expect(post.status == 405)
            let second = try await Curl.run(base + "/metrics", ["-H", "Accept: \(prometheusAccept)"])
            let expectedSecond =
                Fixture.families + Self.selfMetrics(requests: [200: 1, 405: 1, 503: 0], collections: 3)
            #expect(
                second.text
                    == String(decoding: ExpositionFormat.openMetrics.expectedBody(expectedSecond), as: UTF8.self))
        }
    }

    /// The server's own families as the documentation of `exposesSelfMetrics` describes them.
    private static func selfMetrics(requests: [Int: Int], collections: Int) -> [MetricFamily] {
        let requestSamples = requests.sorted { $0.key < $1.key }.map { code, count in
            Sample(
                name: "ipvs_push_scrape_requests_total", labels: Labels(["code": String(code)]), value: Double(count))
        }
        return [
            MetricFamily(
                name: "ipvs_push_scrape_requests_total", type: .counter,
                help: "Requests for the telemetry path answered, by HTTP status code.", samples: requestSamples),
            MetricFamily(
                name: "ipvs_push_scrape_collections_total", type: .counter,
                help: "Collections started for scrapes; concurrent scrapes share one.",
                samples: [
                    Sample(name: "ipvs_push_scrape_collections_total", labels: .empty, value: Double(collections))
                ]),
        ]
    }

    @Test("shutdown lets a running scrape finish, then refuses connections")
    func gracefulShutdown() async throws {
        let source = StaticSource(delay: .seconds(1))
        let server = MetricsServer(
            configuration: MetricsServerConfiguration(listenAddress: "127.0.0.1:0", exposesSelfMetrics: false),
            source: source)
        let port = try await server.start()
        let base = "http://127.0.0.1:\(port)"
        let scrape = Task { try await Curl.run(base + "/metrics") }
        try await waitUntil("the scrape's collection") { await source.calls == 1 }
        await server.shutdown()
        let response = try await scrape.value
        #expect(response.status == 200)
        #expect(Array(response.body) == ExpositionFormat.prometheus.expectedBody())
        #expect(await server.port == nil)
        let refused = try await Curl.run(base + "/metrics")
        #expect(refused.exitCode == 7)
    }

    @Test("shutdown closes a scrape still waiting when the grace period ends")
    func shutdownGracePeriod() async throws {
        let source = StaticSource(delay: .seconds(20))
        let server = MetricsServer(
            configuration: MetricsServerConfiguration(
                listenAddress: "127.0.0.1:0", shutdownGracePeriod: .milliseconds(300), exposesSelfMetrics: false),
            source: source)
        let port = try await server.start()
        let scrape = Task { try await Curl.run("http://127.0.0.1:\(port)/metrics") }
        try await waitUntil("the scrape's collection") { await source.calls == 1 }
        let clock = ContinuousClock()
        let start = clock.now
        await server.shutdown()
        #expect(clock.now - start < .seconds(3))
        let response = try await scrape.value
        #expect(response.exitCode == 52)  // empty reply from server
    }

    @Test("run() serves until its task is cancelled")
    func runUntilCancelled() async throws {
        let port = FreePort.allocate()
        let server = MetricsServer(
            configuration: MetricsServerConfiguration(listenAddress: "127.0.0.1:\(port)"), source: StaticSource())
        let running = Task { try await server.run() }
        try await TestHTTP.waitUntilReady("http://127.0.0.1:\(port)/metrics", deadline: 10)
        running.cancel()
        try await running.value
        let afterCancel = try await Curl.run("http://127.0.0.1:\(port)/metrics")
        #expect(afterCancel.exitCode == 7)
    }

    @Test(":port listens on every interface (IPv4 loopback included)")
    func wildcard() async throws {
        let server = MetricsServer(
            configuration: MetricsServerConfiguration(listenAddress: ":0", exposesSelfMetrics: false),
            source: StaticSource())
        let port = try await server.start()
        #expect(port > 0)
        let overIPv4 = try await Curl.run("http://127.0.0.1:\(port)/metrics")
        #expect(overIPv4.status == 200)
        if Self.hasIPv6Loopback {
            let overIPv6 = try await Curl.run("http://[::1]:\(port)/metrics")
            #expect(overIPv6.status == 200)
        }
        await server.shutdown()
    }

    @Test("start errors: taken port, bad address, bad path, started twice")
    func startErrors() async throws {
        try await withServer(source: StaticSource()) { server, base in
            let port = await server.port!
            let clash = MetricsServer(
                configuration: MetricsServerConfiguration(listenAddress: "127.0.0.1:\(port)"), source: StaticSource())
            await #expect {
                try await clash.start()
            } throws: { error in
                guard case .bindFailed(let address, _) = error as? MetricsServerError else { return false }
                return address == "127.0.0.1:\(port)" && "\(error)".contains("cannot listen on 127.0.0.1:\(port)")
            }
            await #expect(throws: MetricsServerError.alreadyStarted) { try await server.start() }
        }
        let badAddress = MetricsServer(
            configuration: MetricsServerConfiguration(listenAddress: "9100"), source: StaticSource())
        await #expect(throws: MetricsServerError.self) { try await badAddress.start() }
        let badPath = MetricsServer(
            configuration: MetricsServerConfiguration(listenAddress: "127.0.0.1:0", telemetryPath: "metrics"),
            source: StaticSource())
        await #expect(throws: MetricsServerError.invalidTelemetryPath("metrics")) { try await badPath.start() }
    }

    private static var hasIPv6Loopback: Bool {
        (try? String(contentsOfFile: "/proc/net/if_inet6", encoding: .utf8))?.contains(
            "00000000000000000000000000000001")
            ?? false
    }
}
