/// Prometheus' staleness marker: a NaN with a bit pattern of its own
/// (0x7ff0000000000002), distinct from the ordinary NaN (0x7ff8000000000001) a
/// sample may legitimately hold. A receiver that gets it ends the series at once
/// instead of showing its last value for five more minutes.
public enum StaleMarker {
    public static let bitPattern: UInt64 = 0x7ff0_0000_0000_0002

    public static let value = Double(bitPattern: bitPattern)

    /// Whether `value` is the staleness marker (and not some other NaN).
    public static func isStaleMarker(_ value: Double) -> Bool {
        value.bitPattern == bitPattern
    }
}
