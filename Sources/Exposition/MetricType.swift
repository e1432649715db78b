/// The type of a metric family, named as the Prometheus text format names it.
///
/// OpenMetrics' `unknown` is ``untyped`` here; its `info` and `stateset` families are
/// carried as gauges whose names keep the OpenMetrics suffix.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter
    case gauge
    case histogram
    case summary
    case untyped
}
