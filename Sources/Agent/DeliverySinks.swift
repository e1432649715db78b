import Configuration
import Exposition
import Foundation
import HTTPTransport
import IPVSMetricSet
import Logging
import PushGateway

/// The destinations of `run`, `once` and `send`, built from the resolved settings: the
/// Pushgateway sink and the remote-write senders. The one place that knows the set.
public struct DeliverySinks {
    public var pushgateway: PushGatewaySink?
    public var remoteWrite: RemoteWriteSinks?

    /// Builds every sink `settings` names. Throws when a sink refuses its configuration
    /// (an unreadable credential file, an invalid URL).
    public init(settings: AgentSettings, logger: Logger) throws {
        pushgateway = try settings.pushgateway.map { try Self.pushgatewaySink($0, logger: logger) }
        remoteWrite =
            settings.remoteWrite.isEmpty
            ? nil : try RemoteWriteSinks(configurations: settings.remoteWrite, logger: logger)
    }

    /// The Pushgateway sink of `settings`.
    public static func pushgatewaySink(_ settings: AgentSettings.PushgatewaySettings, logger: Logger) throws
        -> PushGatewaySink
    {
        let client = try PushGatewayClient(
            baseURL: settings.url, transport: HTTPClient(configuration: settings.transport, logger: logger),
            options: PushOptions(gzip: settings.gzip, timeout: settings.transport.timeout), logger: logger)
        return PushGatewaySink(client: client, baseGroup: settings.baseGroup, method: settings.method, logger: logger)
    }
}

extension AgentSettings.PushgatewaySettings {
    /// The grouping key without the namespace: job, instance (the host name unless
    /// given) and the extra grouping labels.
    public var baseGroup: GroupingKey {
        let instance = Label("instance", self.instance ?? HostName.current())
        return GroupingKey(job: job, labels: [instance] + groupingLabels)
    }
}
