/// Durations as Go's `time.ParseDuration` writes them, the form exporter-toolkit's
/// `rate_limit.interval` takes: numbers (with an optional fraction) each followed by a
/// unit, `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, as in `1s`, `1m30s`, `1.5h`, `300ms`;
/// `0` alone needs no unit. (Prometheus' own durations differ: no fractions, but `d`, `w`, `y`.)
enum WebConfigGoDuration {
    private static let units: [(name: String, nanoseconds: Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// The duration `text` stands for, or nil when it is not one.
    static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { return nil }
        var nanoseconds = 0.0
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty,
                let number = Double("\(whole.isEmpty ? "0" : whole).\(fraction)0")
            else { return nil }
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            // Longest name first, so that "ms" is not read as "m" followed by "s".
            guard let unit = units.filter({ unitText.hasPrefix($0.name) }).max(by: { $0.name.count < $1.name.count }),
                unit.name.count == unitText.count
            else { return nil }
            rest = rest.dropFirst(unitText.count)
            nanoseconds += number * unit.nanoseconds
        }
        guard nanoseconds < 9.2e18 else { return nil }
        let duration = Duration.nanoseconds(Int64(nanoseconds.rounded()))
        return negative ? .zero - duration : duration
    }
}
