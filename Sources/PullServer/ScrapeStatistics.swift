import Exposition

/// The pull server's own counters, described on
/// ``MetricsServerConfiguration/exposesSelfMetrics``.
actor ScrapeStatistics {
    private var requestsByCode: [Int: Int] = [200: 0, 503: 0]

    func recordRequest(code: Int) {
        requestsByCode[code, default: 0] += 1
    }

    func families(collectionsStarted: Int) -> [MetricFamily] {
        var requests = MetricFamily(
            name: "ipvs_push_scrape_requests_total", type: .counter,
            help: "Requests for the telemetry path answered, by HTTP status code.")
        for (code, count) in requestsByCode.sorted(by: { $0.key < $1.key }) {
            requests.add(Labels(presorted: [Label("code", String(code))]), Double(count))
        }
        var collections = MetricFamily(
            name: "ipvs_push_scrape_collections_total", type: .counter,
            help: "Collections started for scrapes; concurrent scrapes share one.")
        collections.add(.empty, Double(collectionsStarted))
        return [requests, collections]
    }
}
