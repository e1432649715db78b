import ArgumentParser
import Configuration

/// The `/metrics` endpoint of `serve` and of `run`.
struct ServeOptions: ParsableArguments, GivenFlags {
    @Option(
        name: .customLong("listen-address"),
        help: "Where to listen: :PORT (all interfaces), HOST:PORT or [IPv6]:PORT (default: :9100).")
    var listenAddress: String?

    @Option(name: .customLong("telemetry-path"), help: "The path that serves the metrics (default: /metrics).")
    var telemetryPath: String?

    @Option(
        name: .customLong("web.config.file"),
        help: ArgumentHelp(
            "TLS and basic authentication for the endpoint, in Prometheus exporter-toolkit's web.config.yml format.",
            valueName: "path"))
    var webConfigFile: String?

    var given: [SettingKey: [String]] {
        var flags: [SettingKey: [String]] = [:]
        flags.put(.listenAddress, listenAddress)
        flags.put(.telemetryPath, telemetryPath)
        flags.put(.webConfigFile, webConfigFile)
        return flags
    }
}
