import Exposition
import PullServer

/// Starts a ``MetricsServer`` on a free loopback port for the length of `body`, and
/// shuts it down afterwards whatever happens.
func withServer<Result>(
    _ configuration: MetricsServerConfiguration = MetricsServerConfiguration(
        listenAddress: "127.0.0.1:0", exposesSelfMetrics: false),
    source: any MetricsSource,
    _ body: (_ server: MetricsServer, _ baseURL: String) async throws -> Result
) async throws -> Result {
    let server = MetricsServer(configuration: configuration, source: source)
    let port = try await server.start()
    do {
        let result = try await body(server, "http://127.0.0.1:\(port)")
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// The Accept header Prometheus 2.42 sends with every scrape.
let prometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

extension ExpositionFormat {
    /// What the server should send for the fixture in this format.
    func expectedBody(_ families: [MetricFamily] = Fixture.families) -> [UInt8] {
        ExpositionRenderer.render(families, format: self)
    }
}
