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

    @Option(
        name: .customLong("namespace-glob"),
        help: ArgumentHelp(
            "Read every network namespace whose file matches this pattern, matched again at each collection (repeatable), e.g. /var/run/docker/netns/* for every Docker Swarm load balancer. Only namespaces with virtual services get series. Keeps CAP_SYS_ADMIN for as long as ipvs-push runs, to enter namespaces that appear later.",
            valueName: "pattern"))
    var namespaceGlobs: [String] = []

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
            "Emit another exporter's metric names and labels instead: ingress-ipvs-exporter or telegraf.",
            valueName: "exporter"))
    var compatibility: String?

    @Option(
        name: .customLong("docker-host"),
        help: ArgumentHelp(
            "Name Docker Swarm's services from the Engine API on this socket, e.g. unix:///var/run/docker.sock (ipvs_service_name_info).",
            valueName: "url"))
    var dockerHost: String?

    @Option(
        name: .customLong("names-file"),
        help: ArgumentHelp(
            "Name virtual services from this YAML file (protocol, address and port, or fwmark, with a name); re-read on SIGHUP.",
            valueName: "file"))
    var namesFile: String?

    @Flag(
        name: .customLong("name-label"), inversion: .prefixedNo,
        help: "Also put a named service's name on each of its series as service_name (default: no).")
    var nameLabel: Bool?

    @Flag(
        name: .customLong("connection-states"), inversion: .prefixedNo,
        help:
            "Count each namespace's connection table (/proc/net/ip_vs_conn) by virtual service, real server and state, and the entries whose real server is gone or has weight 0 (default: no; the table can hold millions of entries)."
    )
    var connectionStates: Bool?

    var given: [SettingKey: [String]] {
        var flags: [SettingKey: [String]] = [:]
        flags.put(.namespacePath, namespacePaths)
        flags.put(.namespaceGlob, namespaceGlobs)
        flags.put(.hostNamespace, hostNamespace)
        flags.put(.destinations, destinations)
        flags.put(.rates, rates)
        flags.put(.compat, compatibility)
        flags.put(.dockerHost, dockerHost)
        flags.put(.namesFile, namesFile)
        flags.put(.nameLabel, nameLabel)
        flags.put(.connectionStates, connectionStates)
        return flags
    }

    private var resolved: CollectionSettings {
        var layers = SettingLayers(flags: given)
        return CollectionSettings.resolve(&layers)
    }

    /// What to read and how to name it.
    var settings: CollectionSettings { resolved }

    func validate() throws {
        var layers = SettingLayers(flags: given)
        _ = CollectionSettings.resolve(&layers)
        try layers.finishAsValidation()
    }
}
