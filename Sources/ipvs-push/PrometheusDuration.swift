import ArgumentParser

/// A duration written as Prometheus writes them: `15s`, `1m30s`, `500ms`, `2h`.
struct PrometheusDuration: ExpressibleByArgument, Sendable, Hashable, CustomStringConvertible {
    let duration: Duration
    let description: String

    init(_ duration: Duration, text: String) {
        self.duration = duration
        self.description = text
    }

    init?(argument: String) {
        guard let parsed = Self.parse(argument) else { return nil }
        self.init(parsed, text: argument)
    }

    static func parse(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [
            ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
            ("y", 31_536_000_000),
        ]
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let (unit, factor) = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) })
            else { return nil }
            rest = rest.dropFirst(unit.count)
            let (product, overflow) = value.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            total += product
        }
        return .milliseconds(total)
    }

    static var defaultValueDescription: String { "a duration like 15s, 1m30s or 500ms" }
}
