import TimeUnits

/// A duration written as Prometheus writes them: `15s`, `1m30s`, `500ms`, `2h`, `0`.
///
/// Units from large to small, each at most once: `y` (365 days), `w`, `d`, `h`, `m`,
/// `s`, `ms`. The text is kept so that messages and `--help` show what the user wrote.
public struct PrometheusDuration: Sendable, Hashable, CustomStringConvertible {
    public let duration: Duration
    public let description: String

    public init(_ duration: Duration, text: String) {
        self.duration = duration
        self.description = text
    }

    /// Parses `text`; nil when it is not a Prometheus duration.
    public init?(_ text: String) {
        guard let parsed = Self.parse(text) else { return nil }
        self.init(parsed, text: text)
    }

    private static let units: [(String, Int64)] = [
        ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000),
        ("ms", 1),
    ]

    public static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let letters = rest.prefix { $0.isASCII && $0.isLetter }
            guard let index = units.firstIndex(where: { $0.0 == letters }), index >= nextUnit else { return nil }
            rest = rest.dropFirst(letters.count)
            nextUnit = index + 1
            let (product, overflow) = value.multipliedReportingOverflow(by: units[index].1)
            guard !overflow else { return nil }
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !sumOverflow else { return nil }
            total = sum
        }
        return .milliseconds(total)
    }

    /// `duration` in the same syntax (`1m30s`, `100ms`), for messages.
    public static func format(_ duration: Duration) -> String {
        var milliseconds = duration.milliseconds
        if milliseconds == 0 { return "0s" }
        var text = ""
        for (unit, size) in units.dropFirst() where milliseconds >= size {
            text += "\(milliseconds / size)\(unit)"
            milliseconds %= size
        }
        return text
    }
}
