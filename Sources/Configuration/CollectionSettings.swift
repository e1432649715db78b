import Collector
import IPVSMetricSet
import Logging
import ServiceNames

/// What to collect: the namespaces, the metric options and the textfile directory.
public struct CollectionSettings: Sendable, Equatable {
    /// The namespaces to read: "" is the agent's own.
    public var namespaces: [String] = [""]
    /// Namespace file patterns matched at every collection (`/var/run/docker/netns/*`).
    public var namespaceGlobs: [String] = []
    public var metricOptions = MetricOptions()
    /// node_exporter-style `*.prom` files sent with the IPVS metrics.
    public var textfileDirectory: String?
    /// Docker's Engine API (`unix:///var/run/docker.sock`), to name Swarm's services.
    public var dockerHost: String?
    /// The operator's names file.
    public var namesFile: String?
    /// Count each namespace's connection table by service, real server and state (off by
    /// default: the table can hold millions of entries).
    public var connectionStates = false

    /// Resolves the collection settings from `layers`, recording invalid values there.
    public static func resolve(_ layers: inout SettingLayers) -> CollectionSettings {
        var settings = CollectionSettings()
        let paths = layers.list(.namespacePath)
        for path in paths where !path.hasPrefix("/") {
            layers.problem(
                layers.origin(of: .namespacePath), "\"\(path)\" must be an absolute path to a namespace file")
        }
        settings.namespaceGlobs = layers.list(.namespaceGlob)
        for pattern in settings.namespaceGlobs where !pattern.hasPrefix("/") {
            layers.problem(
                layers.origin(of: .namespaceGlob),
                "\"\(pattern)\" must be an absolute path pattern, such as /var/run/docker/netns/*")
        }
        let host = layers.bool(.hostNamespace, default: true)
        let compatibility = layers.optional(.compat, expected: "ingress-ipvs-exporter or telegraf") {
            MetricOptions.Compatibility(rawValue: $0)
        }
        if paths.isEmpty && compatibility == .ingressIPVSExporter && !layers.isSet(.hostNamespace) {
            // That exporter reads Docker's ingress namespace only.
            settings.namespaces = ["/var/run/docker/netns/ingress_sbox"]
        } else {
            settings.namespaces = (host ? [""] : []) + paths
        }
        if settings.namespaces.isEmpty && settings.namespaceGlobs.isEmpty {
            layers.problem(
                layers.origin(of: .hostNamespace),
                "without the host namespace nothing is left to read: give at least one --namespace-path"
                    + " (collection.namespace_paths) or --namespace-glob (collection.namespace_globs)")
        }
        settings.metricOptions = MetricOptions(
            includeDestinations: layers.bool(.destinations, default: true),
            includeRates: layers.bool(.rates, default: true), compatibility: compatibility,
            nameLabel: layers.bool(.nameLabel, default: false))
        settings.connectionStates = layers.bool(.connectionStates, default: false)
        settings.textfileDirectory = layers.string(.textfileDirectory)
        settings.dockerHost = layers.string(.dockerHost)
        if let url = settings.dockerHost, !url.lowercased().hasPrefix("unix://") {
            layers.problem(
                layers.origin(of: .dockerHost),
                "\"\(url)\" is not a unix:// URL: give Docker's socket, such as unix:///var/run/docker.sock")
        }
        settings.namesFile = layers.string(.namesFile)
        return settings
    }

    /// A collector for these namespaces and patterns, naming services with `namer`.
    public func makeCollector(namer: ServiceNamer? = nil, logger: Logger) -> IPVSCollector {
        IPVSCollector(
            namespaces: namespaces, namespaceGlobs: namespaceGlobs, naming: namer, connectionStates: connectionStates,
            logger: logger)
    }

    /// The names sources configured, or nil without any. Throws what is wrong with the
    /// Docker host (not a socket) or the names file (with line and column).
    public func makeNamer(logger: Logger) throws(CollectionSetupError) -> ServiceNamer? {
        guard dockerHost != nil || namesFile != nil else { return nil }
        var docker: DockerServiceNames?
        if let dockerHost {
            do {
                docker = try DockerServiceNames(host: DockerHost(dockerHost), logger: logger)
            } catch {
                throw CollectionSetupError(description: "\(error)")
            }
        }
        return ServiceNamer(docker: docker, file: try loadNamesFile())
    }

    /// The names file read anew (on SIGHUP too); nil when none is configured.
    public func loadNamesFile() throws(CollectionSetupError) -> NamesFile? {
        guard let namesFile else { return nil }
        do {
            return try NamesFile.load(path: namesFile)
        } catch {
            throw CollectionSetupError(description: "\(error)")
        }
    }
}
