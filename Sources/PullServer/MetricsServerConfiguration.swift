/// How the pull server listens and answers, with the defaults of ingress_ipvs_exporter
/// (`:9100`, `/metrics`) so that ipvs-push can replace it without changing the scrape
/// configuration.
public struct MetricsServerConfiguration: Sendable, Hashable {
    /// Where to listen, in the Go exporters' form: `:9100` for every interface,
    /// `127.0.0.1:9100`, `[::1]:9100` or `host:port`. See ``ListenAddress``.
    public var listenAddress: String
    /// The URL path that serves the metrics. `/` serves them at the root and turns the
    /// landing page off.
    public var telemetryPath: String
    /// How long a scrape waits for the collection when the scraper does not say
    /// (Prometheus sends `X-Prometheus-Scrape-Timeout-Seconds`; curl does not).
    public var defaultScrapeTimeout: Duration
    /// Taken off the scraper's `X-Prometheus-Scrape-Timeout-Seconds`, so that the 503
    /// reaches Prometheus before it gives up on its own and records only a timeout.
    public var scrapeTimeoutOffset: Duration
    /// How long ``MetricsServer/shutdown()`` lets running scrapes finish before it
    /// closes their connections.
    public var shutdownGracePeriod: Duration
    /// Whether each scrape adds the server's own counters to the source's families:
    ///
    /// - `ipvs_push_scrape_requests_total{code}`: requests for the telemetry path answered,
    ///   by HTTP status code (`200`; `503` when the collection did not finish within the
    ///   scrape timeout; `405`). `200` and `503` exist from the start at 0. The scrape being
    ///   served is not counted yet, nor are scrapes whose client went away first.
    /// - `ipvs_push_scrape_collections_total`: collections started; fewer than the scrapes
    ///   when concurrent scrapes shared one.
    public var exposesSelfMetrics: Bool
    /// The title of the landing page at `/`.
    public var landingPageTitle: String
    /// TLS, basic authentication, response headers and rate limit, from exporter-toolkit's
    /// web configuration file; ``WebSecurity/none`` serves plain HTTP to everyone.
    public var security: WebSecurity

    public init(
        listenAddress: String = ":9100",
        telemetryPath: String = "/metrics",
        defaultScrapeTimeout: Duration = .seconds(10),
        scrapeTimeoutOffset: Duration = .milliseconds(500),
        shutdownGracePeriod: Duration = .seconds(5),
        exposesSelfMetrics: Bool = true,
        landingPageTitle: String = "ipvs-push",
        security: WebSecurity = .none
    ) {
        self.listenAddress = listenAddress
        self.telemetryPath = telemetryPath
        self.defaultScrapeTimeout = defaultScrapeTimeout
        self.scrapeTimeoutOffset = scrapeTimeoutOffset
        self.shutdownGracePeriod = shutdownGracePeriod
        self.exposesSelfMetrics = exposesSelfMetrics
        self.landingPageTitle = landingPageTitle
        self.security = security
    }

    /// How long one scrape waits for the collection, given the value of its
    /// `X-Prometheus-Scrape-Timeout-Seconds` header: the header's seconds less
    /// ``scrapeTimeoutOffset`` but at least half the header's value; ``defaultScrapeTimeout``
    /// when the header is missing or not a positive number.
    public func scrapeTimeout(prometheusHeader value: String?) -> Duration {
        guard let value, let seconds = Double(value.trimmingCharacters(in: " \t")), seconds.isFinite,
            seconds > 0
        else {
            return defaultScrapeTimeout
        }
        let requested = Duration.nanoseconds(Int64(min(seconds, 1e9) * 1e9))
        return max(requested - scrapeTimeoutOffset, requested / 2)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return slice
    }
}
