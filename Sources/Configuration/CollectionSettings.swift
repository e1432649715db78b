import Collector

import Logging

/// What to collect: the namespaces, the metric options and the textfile directory.
public struct CollectionSettings: Sendable, Equatable {
    /// The namespaces to read: "" is the agent's own.
    public var namespaces: [String] = [""]
    /// Namespace file patterns matched at every collection (`/var/run/docker/netns/*`).
    public var namespaceGlobs: [String] = []
    public var metricOptions = MetricOptions()
    /// node_exporter-style `*.prom` files sent with the IPVS metrics.
    public var textfileDirectory: String?

    /// Resolves the collection settings from `layers`, recording invalid values there.
    public static func resolve(_ layers: inout SettingLayers) -> CollectionSettings {
        var settings = CollectionSettings()
        let paths = layers.list(.namespacePath)
        for path in paths where !path.hasPrefix("/") {
            layers.problem(layers.origin(of: .namespacePath), "\"\(path)\" must be an absolute path to a namespace file")
        }
        settings.namespaceGlobs = layers.list(.namespaceGlob)
        for pattern in settings.namespaceGlobs where !pattern.hasPrefix("/") {
            layers.problem(
                layers.origin(of: .namespaceGlob),
                "\"\(pattern)\" must be an absolute path pattern, such as /var/run/docker/netns/*")
        }
        let host = layers.bool(.hostNamespace, default: true)
        let compatibility = layers.optional(.compat, expected: "ingress-ipvs-exporter") {
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
            includeRates: layers.bool(.rates, default: true), compatibility: compatibility)
        settings.textfileDirectory = layers.string(.textfileDirectory)
        return settings
    }

    /// A collector for these namespaces and patterns.
    public func makeCollector(naming: (any ServiceNaming)? = nil, logger: Logger) -> IPVSCollector {
        IPVSCollector(namespaces: namespaces, namespaceGlobs: namespaceGlobs, naming: naming, logger: logger)
    }
}
