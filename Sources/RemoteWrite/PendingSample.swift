/// One sample waiting to be encoded into a request: its series' row in the encoder's
/// ``SeriesTable``.
struct PendingSample {
    var series: UInt32
    var value: Double
    var timestamp: Int64
}
