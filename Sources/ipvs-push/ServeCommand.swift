import Agent
import ArgumentParser
import Collector
import Logging
import PullServer

/// `ipvs-push serve`: the `/metrics` endpoint, a drop-in for ingress_ipvs_exporter.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the IPVS metrics on HTTP for Prometheus to scrape.",
        discussion: """
            Collects on every scrape (concurrent scrapes share one collection). Answers \
            OpenMetrics when the Accept header asks for it, gzip when asked. Stops on \
            SIGTERM or SIGINT after the scrapes in flight finish.
            """)

    @Option(name: .customLong("listen-address"), help: "Where to listen: :PORT (all interfaces), HOST:PORT or [IPv6]:PORT.")
    var listenAddress = ":9100"

    @Option(name: .customLong("telemetry-path"), help: "The path that serves the metrics.")
    var telemetryPath = "/metrics"

    @OptionGroup var collection: CollectionOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard telemetryPath.hasPrefix("/") else {
            throw ValidationError("--telemetry-path '\(telemetryPath)' must start with '/'")
        }
        do {
            _ = try ListenAddress(parsing: listenAddress)
        } catch {
            throw ValidationError("--listen-address: \(error)")
        }
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let collector = IPVSCollector(namespaces: collection.namespaces, logger: logger)
        collector.prepare()
        do { try collector.restrictCapabilities() } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        let server = MetricsServer(
            configuration: MetricsServerConfiguration(listenAddress: listenAddress, telemetryPath: telemetryPath),
            source: IPVSMetricsSource(collector: collector, options: collection.metricOptions),
            logger: logger)
        do {
            try await server.start()
        } catch {
            StandardStreams.error("cannot serve on \(listenAddress): \(error)")
            throw ExitStatus.configuration
        }
        let signal = await TerminationSignals.wait()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        await server.shutdown()
    }
}
