import Agent
import ArgumentParser
import Collector
import Configuration
import Logging
import PullServer

/// `ipvs-push serve`: the `/metrics` endpoint, a drop-in for ingress_ipvs_exporter.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the IPVS metrics on HTTP for Prometheus to scrape.",
        discussion: """
            Collects on every scrape (concurrent scrapes share one collection). Answers \
            OpenMetrics when the Accept header asks for it, gzip when asked. TLS and basic \
            authentication come from --web.config.file. Stops on SIGTERM or SIGINT after the \
            scrapes in flight finish.
            """)

    @OptionGroup var serve: ServeOptions
    @OptionGroup var collection: CollectionOptions
    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let settings = try CommandSettings.resolve([serve, collection, logging], defaults: .init(alwaysServe: true))
        let logger = LoggingOptions.bootstrap(level: settings.logging.level, format: settings.logging.format)
        let (collector, _) = try await settings.collection.namedCollector(logger: logger)
        collector.prepare()
        do { try collector.restrictCapabilities() } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        let server = try Self.makeServer(
            settings.serve ?? AgentSettings.ServeSettings(),
            source: IPVSMetricsSource(collector: collector, options: settings.collection.metricOptions),
            logger: logger)
        do {
            try await server.start()
        } catch {
            StandardStreams.error("cannot serve on \(settings.serve?.listenAddress ?? "?"): \(error)")
            throw ExitStatus.configuration
        }
        let signal = await TerminationSignals.wait()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        await server.shutdown()
    }

    /// The endpoint for `settings`; an unusable address or web config exits 78.
    static func makeServer(
        _ settings: AgentSettings.ServeSettings, source: any MetricsSource, logger: Logger
    ) throws -> MetricsServer {
        do {
            _ = try ListenAddress(parsing: settings.listenAddress)
        } catch {
            StandardStreams.error("listen address \(settings.listenAddress): \(error)")
            throw ExitStatus.configuration
        }
        var security = WebSecurity.none
        if let path = settings.webConfigFile {
            do {
                security = try WebConfigFile.load(path: path)
            } catch {
                StandardStreams.error(error.description)
                throw ExitStatus.configuration
            }
        }
        return MetricsServer(
            configuration: MetricsServerConfiguration(
                listenAddress: settings.listenAddress, telemetryPath: settings.telemetryPath, security: security),
            source: source, logger: logger)
    }
}
