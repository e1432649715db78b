import Exposition
import Logging
import NIOHTTP1
import TimeUnits

/// Routes a request and builds its response, away from the event loop: the telemetry
/// path collects (shared with concurrent scrapes) and answers a GET with a body that is
/// rendered while it is sent (``ScrapeStream``), `/` is the landing page, anything else
/// is 404, and methods other than GET and HEAD are 405.
final class ScrapeResponder: Sendable {
    private let configuration: MetricsServerConfiguration
    private let coalescer: CollectionCoalescer
    private let statistics = ScrapeStatistics()
    private let logger: Logger

    init(configuration: MetricsServerConfiguration, source: any MetricsSource, logger: Logger) {
        self.configuration = configuration
        self.coalescer = CollectionCoalescer(source: source)
        self.logger = logger
    }

    /// The response to `request`, or `nil` when the task was cancelled because the client went away.
    func respond(to request: HTTPRequestSummary) async -> HTTPResponseSummary? {
        let isTelemetry = request.path == configuration.telemetryPath
        guard isTelemetry || request.path == "/" else {
            return .text(.notFound, "404 page not found")
        }
        guard request.method == .GET || request.method == .HEAD else {
            var response = HTTPResponseSummary.text(
                .methodNotAllowed, "method \(request.method.rawValue) not allowed on \(request.path); use GET or HEAD")
            response.headers.add(name: "Allow", value: "GET, HEAD")
            if isTelemetry { await statistics.recordRequest(code: 405) }
            return response
        }
        guard isTelemetry else {
            let page = LandingPage.html(
                title: configuration.landingPageTitle, telemetryPath: configuration.telemetryPath)
            return HTTPResponseSummary(status: .ok, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
        }
        let response = await scrape(request)
        if let response { await statistics.recordRequest(code: Int(response.status.code)) }
        return response
    }

    private func scrape(_ request: HTTPRequestSummary) async -> HTTPResponseSummary? {
        let format = ExpositionFormat.negotiate(accept: request.accept)
        let timeout = configuration.scrapeTimeout(prometheusHeader: request.scrapeTimeoutHeader)
        let clock = ContinuousClock()
        let start = clock.now
        switch await coalescer.collect(timeout: timeout) {
        case .collected(let content):
            var own: [MetricFamily] = []
            if configuration.exposesSelfMetrics {
                own = await statistics.families(collectionsStarted: coalescer.collectionsStarted)
            }
            guard request.method == .HEAD else {
                // GET: rendered while it is sent (ScrapeStream), never held whole.
                var response = HTTPResponseSummary(
                    status: .ok, contentType: format.contentType, body: [], compressible: true)
                response.stream = ScrapeStream(
                    content: content, format: format, extra: own, logger: logger, started: start)
                return response
            }
            // HEAD: the whole body, for its Content-Length; it is not sent.
            var document = content.document(format: format, extra: own)
            var body: [UInt8] = []
            document.write(inPiecesOf: 1 << 20) { body += $0 }
            logger.debug(
                "answered a HEAD scrape",
                metadata: [
                    "scrape.format": "\(format.rawValue)", "scrape.bytes": "\(body.count)",
                    "scrape.duration": "\(clock.now - start)",
                ])
            return HTTPResponseSummary(status: .ok, contentType: format.contentType, body: body, compressible: true)
        case .timedOut:
            logger.info(
                "scrape timed out waiting for the collection",
                metadata: ["scrape.timeout": "\(timeout)"])
            return .text(
                .serviceUnavailable,
                "collecting the metrics took longer than the scrape timeout of \(Self.seconds(timeout))s; "
                    + "the collection goes on and the next scrape gets its result. Raise scrape_timeout "
                    + "(X-Prometheus-Scrape-Timeout-Seconds) if this repeats")
        case .cancelled:
            logger.debug("scrape abandoned: the client went away before the collection finished")
            return nil
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, milliseconds) = duration.milliseconds.quotientAndRemainder(dividingBy: 1000)
        guard milliseconds != 0 else { return String(seconds) }
        var fraction = String(milliseconds)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return "\(seconds).\(fraction)"
    }
}
