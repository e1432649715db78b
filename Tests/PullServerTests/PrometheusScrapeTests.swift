import Exposition
import Foundation
import PullServer
import TestSupport
import Testing

@Suite("Real Prometheus 2.42 and promtool against the pull server", .serialized)
struct PrometheusScrapeTests {
    @Test("Prometheus scrapes the endpoint and stores exactly the source's series")
    func prometheusScrape() async throws {
        let configuration = MetricsServerConfiguration(listenAddress: "127.0.0.1:0", exposesSelfMetrics: true)
        try await withServer(configuration, source: StaticSource()) { _, base in
            let target = base.replacingOccurrences(of: "http://", with: "")
            let prometheus = try await ExternalServer.prometheus(
                scrapeConfig: """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: ipvs-push
                        static_configs:
                          - targets: ["\(target)"]

                    """)
            defer { prometheus.stop() }

            // The first scrape may come before the server answers; wait for a successful one.
            _ = try await waitForSeries(prometheus, query: "up{job=\"ipvs-push\"} == 1", count: 1)

            for family in Fixture.families {
                let stored = try await waitForSeries(prometheus, query: family.name, count: family.samples.count)
                for sample in family.samples {
                    var expected = Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) })
                    expected["__name__"] = sample.name
                    expected["job"] = "ipvs-push"
                    expected["instance"] = target
                    let match = stored.first { $0.labels == expected }
                    #expect(match != nil, "\(expected) not among \(stored.map(\.labels))")
                    #expect(match.flatMap { Double($0.value) } == sample.value)
                }
            }

            // The server's own counters count earlier scrapes, so they pass 0 from the second on.
            _ = try await waitForSeries(
                prometheus, query: "ipvs_push_scrape_requests_total{code=\"200\"} >= 1", count: 1)
            _ = try await waitForSeries(prometheus, query: "ipvs_push_scrape_collections_total >= 2", count: 1)
            let failed = try await instantQuery(prometheus, "ipvs_push_scrape_requests_total{code=\"503\"}")
            #expect(failed.map(\.value) == ["0"])
        }
    }

    @Test("promtool check metrics accepts the text body")
    func promtoolText() async throws {
        let configuration = MetricsServerConfiguration(listenAddress: "127.0.0.1:0", exposesSelfMetrics: true)
        try await withServer(configuration, source: StaticSource()) { _, base in
            let body = try await Curl.run(base + "/metrics").body
            let check = try await ChildProcess.run("/usr/bin/promtool", ["check", "metrics"], stdin: body)
            let output = String(decoding: check.standardOutput + check.standardError, as: UTF8.self)
            #expect(check.status == 0, "promtool: \(output)")
        }
    }

    /// promtool 2.42 reads only the text format: an OpenMetrics body parses (a syntax error
    /// would exit 1), and its only findings are that the counters' `_total` samples have
    /// no HELP of their own, because OpenMetrics names a counter family without `_total`.
    /// Real Prometheus parsing OpenMetrics strictly is the scrape test above.
    @Test("promtool check metrics parses the OpenMetrics body")
    func promtoolOpenMetrics() async throws {
        let configuration = MetricsServerConfiguration(listenAddress: "127.0.0.1:0", exposesSelfMetrics: true)
        try await withServer(configuration, source: StaticSource()) { _, base in
            let response = try await Curl.run(base + "/metrics", ["-H", "Accept: \(prometheusAccept)"])
            #expect(response.headers["content-type"]?.hasPrefix("application/openmetrics-text") == true)
            let check = try await ChildProcess.run("/usr/bin/promtool", ["check", "metrics"], stdin: response.body)
            let findings = String(decoding: check.standardOutput + check.standardError, as: UTF8.self)
                .split(separator: "\n").map(String.init).sorted()
            let counters = [
                "ipvs_push_scrape_collections_total", "ipvs_push_scrape_requests_total", "ipvs_test_connections_total",
            ]
            #expect(check.status == 3, "promtool: \(findings)")
            #expect(findings == counters.map { "\($0) no help text" })
        }
    }

    // MARK: Prometheus' HTTP API

    struct StoredSample: Sendable {
        var labels: [String: String]
        var value: String
    }

    /// Queries Prometheus until `query` returns at least `count` series (a fresh server
    /// needs a scrape or two), and returns them.
    private func waitForSeries(
        _ prometheus: ExternalServer, query: String, count: Int, deadline: Duration = .seconds(30)
    ) async throws -> [StoredSample] {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var last: [StoredSample] = []
        while clock.now < end {
            last = try await instantQuery(prometheus, query)
            if last.count >= count { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw TestFailure("Prometheus has \(last.count) series for \(query) after \(deadline), wanted \(count)")
    }

    private func instantQuery(_ prometheus: ExternalServer, _ query: String) async throws -> [StoredSample] {
        var components = URLComponents(string: prometheus.baseURL + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: query)]
        let response = try await TestHTTP.request(components.url!.absoluteString)
        guard response.status == 200,
            let root = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let data = root["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else {
            throw TestFailure("Prometheus query \(query) answered \(response.status): \(response.text)")
        }
        return result.compactMap { series in
            guard let labels = series["metric"] as? [String: String], let value = series["value"] as? [Any],
                value.count == 2, let text = value[1] as? String
            else { return nil }
            return StoredSample(labels: labels, value: text)
        }
    }
}
