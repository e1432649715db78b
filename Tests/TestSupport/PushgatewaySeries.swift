/// One series as the Pushgateway's JSON API shows it: a sample name and all its labels,
/// including the `job`, `instance` and grouping labels the gateway adds. Histogram and
/// summary series are spelled out as their `_bucket`/`_sum`/`_count` and quantile samples.
public struct PushgatewaySeries: Hashable, Sendable, CustomStringConvertible, Comparable {
    public var name: String
    public var labels: [String: String]

    public init(_ name: String, _ labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels
    }

    public var description: String {
        let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
        return rendered.isEmpty ? name : "\(name){\(rendered.joined(separator: ","))}"
    }

    public static func < (a: PushgatewaySeries, b: PushgatewaySeries) -> Bool { a.description < b.description }

    /// These labels added to (or replacing) the series' own.
    public func adding(_ more: [String: String]) -> PushgatewaySeries {
        PushgatewaySeries(name, labels.merging(more) { $1 })
    }
}
