import Collector

/// What to collect: the namespaces, the metric options and the textfile directory.
public struct CollectionSettings: Sendable {
    /// The namespaces to read: "" is the agent's own.
    public var namespaces: [String] = [""]
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
        if settings.namespaces.isEmpty {
            layers.problem(
                layers.origin(of: .hostNamespace),
                "without the host namespace nothing is left to read: give at least one --namespace-path (collection.namespace_paths)")
        }
        settings.metricOptions = MetricOptions(
            includeDestinations: layers.bool(.destinations, default: true),
            includeRates: layers.bool(.rates, default: true), compatibility: compatibility)
        settings.textfileDirectory = layers.string(.textfileDirectory)
        return settings
    }
}
