import Foundation

/// One group of the Pushgateway, read from its `/api/v1/metrics` JSON (what a test reads
/// back to see exactly what a push stored).
public struct PushgatewayGroup: Sendable {
    /// The grouping key: `job` and the grouping labels.
    public var labels: [String: String]
    public var lastPushSuccessful: Bool
    /// The pushed families by name, without the gateway's own `push_time_seconds` and
    /// `push_failure_time_seconds`.
    public var families: [String: PushgatewayFamily]
    /// The gateway's `push_time_seconds`: when the group last changed successfully.
    public var pushTime: Double?

    /// The families the gateway adds to every group.
    public static let gatewayFamilies: Set<String> = ["push_time_seconds", "push_failure_time_seconds"]

    /// Every pushed series with its value, across families.
    public var series: [PushgatewaySeries: Double] {
        families.values.reduce(into: [:]) { all, family in all.merge(family.series) { first, _ in first } }
    }

    /// Reads the groups out of the API's JSON answer.
    public static func parse(_ data: Data) throws -> [PushgatewayGroup] {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            root["status"] as? String == "success", let groups = root["data"] as? [[String: Any]]
        else {
            throw TestFailure("unexpected /api/v1/metrics answer: \(String(decoding: data, as: UTF8.self).prefix(500))")
        }
        return try groups.map { group in
            var families: [String: PushgatewayFamily] = [:]
            var pushTime: Double?
            for (name, value) in group where !["labels", "last_push_successful"].contains(name) {
                guard let family = value as? [String: Any] else { throw TestFailure("family \(name) is not an object") }
                let parsed = try parseFamily(name, family)
                if name == "push_time_seconds" { pushTime = parsed.series.values.first }
                if !gatewayFamilies.contains(name) { families[name] = parsed }
            }
            return PushgatewayGroup(
                labels: group["labels"] as? [String: String] ?? [:],
                lastPushSuccessful: group["last_push_successful"] as? Bool ?? false, families: families,
                pushTime: pushTime)
        }
    }

    private static func parseFamily(_ name: String, _ family: [String: Any]) throws -> PushgatewayFamily {
        let type = family["type"] as? String ?? ""
        var series: [PushgatewaySeries: Double] = [:]
        for metric in family["metrics"] as? [[String: Any]] ?? [] {
            let labels = metric["labels"] as? [String: String] ?? [:]
            func add(_ sample: String, _ text: Any?, _ extra: [String: String] = [:]) throws {
                guard let text = text as? String, let value = number(text) else {
                    throw TestFailure("\(sample) of \(labels): value \(String(describing: text)) is not a number")
                }
                series[PushgatewaySeries(sample, labels.merging(extra) { $1 })] = value
            }
            switch type {
            case "HISTOGRAM":
                for (bound, count) in metric["buckets"] as? [String: Any] ?? [:] {
                    try add(name + "_bucket", count, ["le": bound])
                }
                try add(name + "_sum", metric["sum"])
                try add(name + "_count", metric["count"])
            case "SUMMARY":
                for (quantile, value) in metric["quantiles"] as? [String: Any] ?? [:] {
                    try add(name, value, ["quantile": quantile])
                }
                try add(name + "_sum", metric["sum"])
                try add(name + "_count", metric["count"])
            default:
                try add(name, metric["value"])
            }
        }
        return PushgatewayFamily(type: type, help: family["help"] as? String, series: series)
    }

    /// A number as Go prints it (`+Inf`, `-Inf`, `NaN`, `1e+30`, `0.25`).
    public static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}
