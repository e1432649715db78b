import Agent
import ArgumentParser
import Collector
import Configuration
import Logging
import PullServer
import ServiceLifecycle

/// `ipvs-push run`: collect every interval and deliver to every configured sink, until
/// SIGTERM or SIGINT; SIGHUP reloads the configuration file.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Collect IPVS every interval and push it, remote-write it and/or serve it, until SIGTERM or SIGINT.",
        discussion: """
            Settings come from flags, IPVS_PUSH_* environment variables (IPVS_PUSH_INTERVAL \
            for --interval; lists comma-separated) and --config FILE, in that order of \
            precedence. Each collection goes to the Pushgateway, to every remote-write \
            destination (queued on disk with queue_directory, so outages and restarts lose \
            nothing) and to /metrics when serving. SIGHUP re-reads the file: an invalid file \
            is rejected and the running configuration kept. SIGTERM or SIGINT: the cycle in \
            flight finishes, the queues get the shutdown grace to drain, with delete-on-exit \
            the pushed groups are deleted, then exit 0.
            """)

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("The YAML configuration file (also IPVS_PUSH_CONFIG).", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("interval"), help: "Time between collections (default: 15s).")
    var interval: String?

    @Flag(
        name: .customLong("delete-on-exit"), inversion: .prefixedNo,
        help: "Delete the pushed groups from the Pushgateway when stopping (default: no).")
    var deleteOnExit: Bool?

    @Option(
        name: .customLong("shutdown-grace"),
        help: "How long queued remote-write batches may take to drain when stopping (default: 10s).")
    var shutdownGrace: String?

    @Option(
        name: .customLong("textfile-directory"),
        help: ArgumentHelp(
            "Send the metrics of the *.prom files in this directory with each collection (node_exporter's textfile convention).",
            valueName: "dir"))
    var textfileDirectory: String?

    @OptionGroup var pushgateway: PushGatewayOptions
    @OptionGroup var remoteWrite: RemoteWriteOptions
    @OptionGroup var transport: TransportOptions
    @OptionGroup var serve: ServeOptions
    @OptionGroup var collection: CollectionOptions
    @OptionGroup var logging: LoggingOptions

    private var ownFlags: [SettingKey: [String]] {
        var flags: [SettingKey: [String]] = [:]
        flags.put(.interval, interval)
        flags.put(.deleteOnExit, deleteOnExit)
        flags.put(.shutdownGrace, shutdownGrace)
        flags.put(.textfileDirectory, textfileDirectory)
        return flags
    }

    private func resolve() throws -> AgentSettings {
        try CommandSettings.resolve(
            [pushgateway, remoteWrite, transport, serve, collection, logging], extra: ownFlags,
            configFile: configFile)
    }

    func run() async throws {
        ProcessHeap.limitArenas()
        let settings = try resolve()
        guard settings.pushgateway != nil || !settings.remoteWrite.isEmpty || settings.serve != nil else {
            StandardStreams.error(
                "nothing to do: give --pushgateway, --remote-write or --listen-address, or a --config file with "
                    + "pushgateway, remote_write or serve")
            throw ExitStatus.usage
        }
        let logger = LoggingOptions.bootstrap(level: settings.logging.level, format: settings.logging.format)
        let (collector, namer) = try await settings.collection.namedCollector(logger: logger)
        collector.prepare()
        do { try collector.restrictCapabilities() } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        let pipeline: AgentPipeline
        do {
            pipeline = try AgentPipeline(
                collector: collector, plan: try AgentPlan(settings: settings, logger: logger), logger: logger)
        } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        var services: [any Service] = []
        var server: MetricsServer?
        if let serve = settings.serve {
            let endpoint = try ServeCommand.makeServer(
                serve, source: ClosureMetricsSource { pipeline.latest.get() }, logger: logger)
            services.append(MetricsServerService(server: endpoint))
            server = endpoint
        }
        let reload = ConfigurationReload(
            initial: settings, read: { [self] in try self.readSettingsAgain() }, namer: namer, server: server,
            logger: logger)
        services.append(AgentService(pipeline: pipeline, logger: logger, reload: reload))
        logger.info(
            "running",
            metadata: [
                "interval": "\(PrometheusDuration.format(settings.interval))",
                "namespaces": "\(settings.collection.namespaces)", "config": "\(settings.configFile ?? "-")",
                "pushgateway": "\(settings.pushgateway != nil)", "remote_write": "\(settings.remoteWrite.count)",
                "listen_address": "\(settings.serve?.listenAddress ?? "-")",
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
    }

    /// The settings after SIGHUP: the file read again, flags and environment as at start.
    private func readSettingsAgain() throws -> AgentSettings {
        var flags = ownFlags
        for group: any GivenFlags in [pushgateway, remoteWrite, transport, serve, collection, logging] {
            flags.merge(group.given) { _, new in new }
        }
        let file =
            try configFile.map { try AgentConfigFile.load(path: $0) }
            ?? Environment.variables["IPVS_PUSH_CONFIG"].map { try AgentConfigFile.load(path: $0) }
        return try AgentSettings.resolve(flags: flags, environment: Environment.variables, file: file)
    }
}
