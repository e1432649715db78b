/// What a sample is within its family, from its name suffix; it decides which labels
/// the sample needs (`le` for a bucket, `quantile` for a summary's quantile) and
/// whether it is kept.
enum SampleRole: Equatable {
    /// The family's own name: a gauge, an untyped or text-format counter, a stateset,
    /// an OpenMetrics info's `_info`.
    case plain
    /// An OpenMetrics counter's `_total`.
    case total
    /// An OpenMetrics `_created` sample; dropped, the model has no place for it.
    case created
    case bucket
    case sum
    case count
    /// A summary quantile, named like the family and labelled `quantile`.
    case quantile
}
