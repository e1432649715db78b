import ArgumentParser
import Configuration

/// Where and how to send Prometheus remote write.
struct RemoteWriteOptions: ParsableArguments, GivenFlags {
    @Option(
        name: .customLong("remote-write"),
        help: ArgumentHelp(
            "A remote-write endpoint (repeatable), e.g. http://prometheus:9090/api/v1/write, http://victoria:8428/api/v1/write, https://mimir/api/v1/push.",
            valueName: "url"))
    var urls: [String] = []

    @Option(name: .customLong("tenant"), help: "Tenant sent as X-Scope-OrgID (Grafana Mimir, Cortex).")
    var tenant: String?

    @Option(
        name: .customLong("protocol"),
        help: "Remote-write protocol: v1 (1.0) or v2 (2.0, falls back to v1 when refused; default: v1).")
    var protocolVersion: String?

    @Option(name: .customLong("max-samples-per-send"), help: "The most samples in one request (default: 10000).")
    var maxSamplesPerSend: String?

    @Option(
        name: .customLong("external-label"),
        help: ArgumentHelp("A label added to every series sent (repeatable).", valueName: "name=value"))
    var externalLabels: [String] = []

    @Option(
        name: .customLong("queue-dir"),
        help: "Keep unsent batches on disk here (one subdirectory per URL), so outages and restarts lose nothing.")
    var queueDirectory: String?

    @Option(
        name: .customLong("queue-max-bytes"),
        help:
            "Bound of each URL's queue (bytes, or with KiB/MiB/GiB; default: 256MiB); at the bound the oldest batches are dropped."
    )
    var queueMaxBytes: String?

    var given: [SettingKey: [String]] {
        var flags: [SettingKey: [String]] = [:]
        flags.put(.remoteWrite, urls)
        flags.put(.tenant, tenant)
        flags.put(.protocolVersion, protocolVersion)
        flags.put(.maxSamplesPerSend, maxSamplesPerSend)
        flags.put(.externalLabel, externalLabels)
        flags.put(.queueDirectory, queueDirectory)
        flags.put(.queueMaxBytes, queueMaxBytes)
        return flags
    }
}
