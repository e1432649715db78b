import Agent
import ArgumentParser
import Exposition
import Foundation
import HTTPTransport
import Logging
import PushGateway

/// Where and how to push to a Pushgateway.
struct PushGatewayOptions: ParsableArguments {
    @Option(name: .customLong("pushgateway"), help: ArgumentHelp("The Pushgateway's base URL.", valueName: "url"))
    var url: String?

    @Option(name: .customLong("job"), help: "The job label of the pushed groups.")
    var job = "ipvs"

    @Option(name: .customLong("instance"), help: "The instance label of the pushed groups (default: the host name).")
    var instance: String?

    @Option(
        name: .customLong("grouping-label"),
        help: ArgumentHelp("Another label of the grouping key (repeatable).", valueName: "name=value"))
    var groupingLabels: [NameValue] = []

    @Option(name: .customLong("method"), help: "put replaces the whole group, post only the families pushed.")
    var method: PushGatewaySink.Method = .put

    @Option(name: .customLong("compression"), help: "none or gzip (Pushgateway 1.5 and later).")
    var compression: Compression = .none

    enum Compression: String, ExpressibleByArgument, CaseIterable {
        case none, gzip
    }

    func validate() throws {
        if let url {
            let lowered = url.lowercased()
            guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
                throw ValidationError("--pushgateway must be an http:// or https:// URL")
            }
        }
        guard !job.isEmpty else { throw ValidationError("--job must not be empty") }
        for label in groupingLabels where ["job", "instance", "namespace"].contains(label.name) {
            throw ValidationError("--grouping-label \(label.name) is set by ipvs-push itself; use --\(label.name == "namespace" ? "namespace-path" : label.name)")
        }
    }

    /// The grouping key without the namespace: job, instance and the extra labels.
    func baseGroup(includeInstance: Bool = true) -> GroupingKey {
        var labels: [Exposition.Label] = []
        if includeInstance { labels.append(Exposition.Label("instance", instance ?? ProcessInfo.processInfo.hostName)) }
        labels += groupingLabels.map { Exposition.Label($0.name, $0.value) }
        return GroupingKey(job: job, labels: labels)
    }

    /// The sink, or nil when no `--pushgateway` was given.
    func makeSink(transport: TransportOptions, logger: Logger) throws -> PushGatewaySink? {
        guard let url else { return nil }
        let client = try PushGatewayClient(
            baseURL: url, transport: HTTPClient(configuration: transport.configuration, logger: logger),
            options: PushOptions(gzip: compression == .gzip, timeout: transport.timeout.duration), logger: logger)
        return PushGatewaySink(client: client, baseGroup: baseGroup(), method: method, logger: logger)
    }
}

extension PushGatewaySink.Method: ExpressibleByArgument {}

