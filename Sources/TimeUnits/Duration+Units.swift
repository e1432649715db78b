extension Duration {
    /// Whole milliseconds, rounded toward zero, for libcurl's `_MS` options, log fields and
    /// messages.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// The duration in seconds as a floating-point number, as metrics and timeouts given in
    /// seconds carry it.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
