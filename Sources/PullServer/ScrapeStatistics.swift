import Exposition

/// The pull server's own counters, described on
/// ``MetricsServerConfiguration/exposesSelfMetrics``.
actor ScrapeStatistics {
    private var requestsByCode: [Int: Int] = [200: 0, 503: 0]

    func recordRequest(code: Int) {
        requestsByCode[code, default: 0] += 1
    }

    func families(collectionsStarted: Int) -> [MetricFamily] {
        [
            Self.requests.family(
                requestsByCode.sorted { $0.key < $1.key }.map {
                    (Labels(presorted: [Label("code", String($0.key))]), Double($0.value))
                }),
            Self.collections.family(Double(collectionsStarted)),
        ]
    }

    static let requests = MetricDescriptor(
        "ipvs_push_scrape_requests_total", .counter,
        help: "Requests for the telemetry path answered, by HTTP status code.")
    static let collections = MetricDescriptor(
        "ipvs_push_scrape_collections_total", .counter,
        help: "Collections started for scrapes; concurrent scrapes share one.")
}
