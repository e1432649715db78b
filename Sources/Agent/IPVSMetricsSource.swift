import Collector
import Exposition
import IPVSMetricSet
import PullServer

/// The IPVS metric set as a source for the pull server and the senders: one
/// collection of every namespace, turned into metric families.
public struct IPVSMetricsSource: MetricsSource {
    public let collector: IPVSCollector
    public let options: MetricOptions

    public init(collector: IPVSCollector, options: MetricOptions) {
        self.collector = collector
        self.options = options
    }

    public func collect() async -> [MetricFamily] {
        IPVSMetrics.families(await collector.collect(), options: options)
    }
}
