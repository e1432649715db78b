import ArgumentParser
import Configuration
import Exposition
import HTTPTransport
import RemoteWrite

/// Where and how to send Prometheus remote write.
struct RemoteWriteOptions: ParsableArguments {
    @Option(
        name: .customLong("remote-write"),
        help: ArgumentHelp(
            "A remote-write endpoint (repeatable), e.g. http://prometheus:9090/api/v1/write, http://victoria:8428/api/v1/write, https://mimir/api/v1/push.",
            valueName: "url"))
    var urls: [String] = []

    @Option(name: .customLong("tenant"), help: "Tenant sent as X-Scope-OrgID (Grafana Mimir, Cortex).")
    var tenant: String?

    @Option(name: .customLong("protocol"), help: "Remote-write protocol: v1 (1.0) or v2 (2.0, falls back to v1 when refused).")
    var protocolVersion: ProtocolChoice = .v1

    @Option(name: .customLong("max-samples-per-send"), help: "The most samples in one request.")
    var maxSamplesPerSend = 2000

    @Option(
        name: .customLong("external-label"),
        help: ArgumentHelp("A label added to every series sent (repeatable).", valueName: "name=value"))
    var externalLabels: [NameValue] = []

    @Option(
        name: .customLong("queue-dir"),
        help: "Keep unsent batches on disk here (one subdirectory per URL), so outages and restarts lose nothing.")
    var queueDirectory: String?

    @Option(
        name: .customLong("queue-max-bytes"),
        help: "Bound of each URL's queue (bytes, or with KiB/MiB/GiB); at the bound the oldest batches are dropped.")
    var queueMaxBytes = ByteCount(256 << 20, text: "256MiB")

    enum ProtocolChoice: String, ExpressibleByArgument, CaseIterable {
        case v1, v2
        var version: RemoteWriteProtocol { self == .v1 ? .v1 : .v2 }
    }

    func validate() throws {
        for url in urls {
            let lowered = url.lowercased()
            guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
                throw ValidationError("--remote-write must be an http:// or https:// URL")
            }
        }
        guard maxSamplesPerSend >= 1 else { throw ValidationError("--max-samples-per-send must be at least 1") }
        guard queueMaxBytes.bytes >= 4096 else { throw ValidationError("--queue-max-bytes must be at least 4KiB") }
    }

    func configurations(transport: TransportOptions) -> [RemoteWriteConfiguration] {
        urls.map { url in
            RemoteWriteConfiguration(
                url: url, protocolVersion: protocolVersion.version, tenant: tenant,
                maxSamplesPerSend: maxSamplesPerSend,
                externalLabels: Labels(externalLabels.map { Label($0.name, $0.value) }),
                queueDirectory: queueDirectory, queueMaxBytes: queueMaxBytes.bytes,
                transport: transport.configuration)
        }
    }
}
