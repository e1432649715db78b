/// One sample waiting to be encoded into a request.
struct PendingSample {
    var series: SeriesEntry
    var value: Double
    var timestamp: Int64
}
