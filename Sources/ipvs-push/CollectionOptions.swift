import ArgumentParser
import Collector

/// What to collect and how to name it: shared by every subcommand that reads IPVS.
struct CollectionOptions: ParsableArguments {
    @Option(
        name: .customLong("namespace-path"),
        help: ArgumentHelp(
            "A network namespace file to read IPVS from, besides the agent's own (repeatable), e.g. /var/run/docker/netns/ingress_sbox.",
            valueName: "path"))
    var namespacePaths: [String] = []

    @Flag(name: .customLong("no-host-namespace"), help: "Do not read the agent's own network namespace.")
    var noHostNamespace = false

    @Flag(name: .customLong("no-destinations"), help: "Leave out per-real-server series (cuts cardinality).")
    var noDestinations = false

    @Flag(name: .customLong("no-rates"), help: "Leave out the _per_second rate estimates (cuts cardinality).")
    var noRates = false

    @Option(
        name: .customLong("compat"),
        help: ArgumentHelp(
            "Emit another exporter's metric names and labels instead: ingress-ipvs-exporter.", valueName: "exporter"))
    var compatibility: MetricOptions.Compatibility?

    /// The namespaces to read: the agent's own (the empty path) unless excluded, then
    /// each path given. In ingress-ipvs-exporter compatibility mode with no path given,
    /// Docker's ingress namespace, as that exporter defaults to.
    var namespaces: [String] {
        var paths = namespacePaths
        if paths.isEmpty && compatibility == .ingressIPVSExporter {
            paths = ["/var/run/docker/netns/ingress_sbox"]
            return paths
        }
        return (noHostNamespace ? [] : [""]) + paths
    }

    var metricOptions: MetricOptions {
        MetricOptions(includeDestinations: !noDestinations, includeRates: !noRates, compatibility: compatibility)
    }

    func validate() throws {
        if noHostNamespace && namespacePaths.isEmpty {
            throw ValidationError("--no-host-namespace leaves nothing to read: give at least one --namespace-path")
        }
        for path in namespacePaths where path.isEmpty || !path.hasPrefix("/") {
            throw ValidationError("--namespace-path '\(path)' must be an absolute path to a network namespace file")
        }
    }
}

extension MetricOptions.Compatibility: ExpressibleByArgument {}
