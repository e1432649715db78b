import Collector
import Exposition
import IPVSMetricSet
import ServiceNames

/// `ipvs_names_up` as the metric set renders it for the namer's sources.
func namesUp(_ namer: ServiceNamer) -> [MetricFamily] {
    IPVSMetrics.collectionFamilies(IPVSCollection(namespaces: [], namesUp: namer.sourcesUp()))
}
