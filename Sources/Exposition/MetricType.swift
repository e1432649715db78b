/// The type of a metric family: the text format's five and OpenMetrics' three more,
/// which remote write (1.0 and 2.0) also carries in its metadata.
///
/// OpenMetrics' `unknown` is ``untyped`` here. The text format has no `info`,
/// `stateset` or `gaugehistogram`: rendered as text they become ``textFormatType``, with
/// the sample names unchanged.
public enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter
    case gauge
    case histogram
    case summary
    case untyped
    case gaugeHistogram = "gaugehistogram"
    case info
    case stateset

    /// The type a text format (0.0.4) document declares for this family: an info or
    /// stateset family is a gauge there, a gauge histogram untyped (as Prometheus reads
    /// such series from OpenMetrics and exposes them again).
    public var textFormatType: MetricType {
        switch self {
        case .info, .stateset: .gauge
        case .gaugeHistogram: .untyped
        case .counter, .gauge, .histogram, .summary, .untyped: self
        }
    }

    /// The suffix OpenMetrics gives the samples named after the family (`x_total` of
    /// counter `x`, `y_info` of info family `y`); nil for the other types.
    public var openMetricsSampleSuffix: String? {
        switch self {
        case .counter: "_total"
        case .info: "_info"
        case .gauge, .histogram, .summary, .untyped, .gaugeHistogram, .stateset: nil
        }
    }
}
