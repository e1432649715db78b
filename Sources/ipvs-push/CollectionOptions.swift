import ArgumentParser
import Collector
import Configuration

/// What to collect and how to name it: shared by every subcommand that reads IPVS.
struct CollectionOptions: ParsableArguments, GivenFlags {
    @Option(
        name: .customLong("namespace-path"),
        help: ArgumentHelp(
            "A network namespace file to read IPVS from, besides the agent's own (repeatable), e.g. /var/run/docker/netns/ingress_sbox.",
            valueName: "path"))
    var namespacePaths: [String] = []

    @Flag(
        name: .customLong("host-namespace"), inversion: .prefixedNo,
        help: "Read the agent's own network namespace (default: yes).")
    var hostNamespace: Bool?

    @Flag(
        name: .customLong("destinations"), inversion: .prefixedNo,
        help: "Per-real-server series; --no-destinations cuts cardinality (default: yes).")
    var destinations: Bool?

    @Flag(
        name: .customLong("rates"), inversion: .prefixedNo,
        help: "The _per_second rate estimates; --no-rates cuts cardinality (default: yes).")
    var rates: Bool?

    @Option(
        name: .customLong("compat"),
        help: ArgumentHelp(
            "Emit another exporter's metric names and labels instead: ingress-ipvs-exporter.", valueName: "exporter"))
    var compatibility: String?

    var given: [SettingKey: [String]] {
        var flags: [SettingKey: [String]] = [:]
        flags.put(.namespacePath, namespacePaths)
        flags.put(.hostNamespace, hostNamespace)
        flags.put(.destinations, destinations)
        flags.put(.rates, rates)
        flags.put(.compat, compatibility)
        return flags
    }

    private var resolved: CollectionSettings {
        var layers = SettingLayers(flags: given)
        return CollectionSettings.resolve(&layers)
    }

    /// The namespaces to read ("" is the agent's own).
    var namespaces: [String] { resolved.namespaces }

    var metricOptions: MetricOptions { resolved.metricOptions }

    func validate() throws {
        var layers = SettingLayers(flags: given)
        _ = CollectionSettings.resolve(&layers)
        try layers.finishAsValidation()
    }
}
