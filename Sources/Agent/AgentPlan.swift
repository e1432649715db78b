import Configuration
import IPVSMetricSet
import Logging
import RemoteWrite

/// What the long-running agent does each interval, built from the resolved settings.
/// A reload builds a new plan and hands it to ``AgentPipeline/apply(_:)``.
public struct AgentPlan: Sendable {
    public var interval: Duration
    /// How long the remote-write queues may take to drain when stopping or when a
    /// destination is removed or changed by a reload.
    public var shutdownGrace: Duration
    public var metricOptions: MetricOptions
    /// node_exporter-style `*.prom` files sent with the IPVS metrics each cycle.
    public var textfileDirectory: String?
    public var pushgateway: PushGatewaySink?
    /// Delete the pushed groups from the Pushgateway when stopping.
    public var deleteOnExit: Bool
    public var remoteWrite: [RemoteWriteConfiguration]
    /// Whether `/metrics` is served: only then is the newest collection kept between
    /// cycles (at 10,000 services, tens of megabytes).
    public var serves: Bool

    public init(
        interval: Duration, shutdownGrace: Duration, metricOptions: MetricOptions, textfileDirectory: String?,
        pushgateway: PushGatewaySink?, deleteOnExit: Bool, remoteWrite: [RemoteWriteConfiguration], serves: Bool = true
    ) {
        self.interval = interval
        self.shutdownGrace = shutdownGrace
        self.metricOptions = metricOptions
        self.textfileDirectory = textfileDirectory
        self.pushgateway = pushgateway
        self.deleteOnExit = deleteOnExit
        self.remoteWrite = remoteWrite
        self.serves = serves
    }

    /// The plan `settings` call for, with the Pushgateway sink built (the remote-write
    /// senders are built by the pipeline, which keeps those a reload leaves unchanged).
    public init(settings: AgentSettings, logger: Logger) throws {
        self.init(
            interval: settings.interval, shutdownGrace: settings.shutdownGrace,
            metricOptions: settings.collection.metricOptions, textfileDirectory: settings.collection.textfileDirectory,
            pushgateway: try settings.pushgateway.map { try DeliverySinks.pushgatewaySink($0, logger: logger) },
            deleteOnExit: settings.pushgateway?.deleteOnExit ?? false, remoteWrite: settings.remoteWrite,
            serves: settings.serve != nil)
    }
}
