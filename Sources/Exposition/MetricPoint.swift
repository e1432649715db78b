/// The OpenMetrics MetricPoint being read: the samples of one metric (a label set without
/// `le` or `quantile`) at one timestamp. What the specification asks of a whole point
/// (a `+Inf` bucket, `_count` equal to it, `_count` and `_sum` together) is checked when
/// the point ends; what it asks of each sample in order (increasing `le`, cumulative
/// buckets) as the samples come.
struct MetricPoint {
    var metric: Labels
    var timestamp: Int64?
    /// The line of the point's first sample.
    var line: Int
    var bucketCount = 0
    /// The `le` of the last bucket read (`-Inf` before the first).
    var lastBound = -Double.infinity
    var lastBucketValue = 0.0
    var infinityBucket: Double?
    var count: Double?
    var countLine = 0
    var sumLine: Int?
    var lowestBound = Double.infinity

    init(metric: Labels, timestamp: Int64?, line: Int) {
        self.metric = metric
        self.timestamp = timestamp
        self.line = line
    }
}
