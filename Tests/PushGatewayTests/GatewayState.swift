import Foundation
import TestSupport

/// What a real Pushgateway holds, read back through its `/api/v1/metrics` JSON API.
struct GatewayState {
    struct Series: Hashable {
        var labels: [String: String]
        var value: String
    }

    struct Family {
        var type: String
        var series: [Series]
    }

    struct Group {
        var labels: [String: String]
        var families: [String: Family]
        var lastPushSuccessful: Bool
    }

    var groups: [Group]

    static func read(_ baseURL: String) async throws -> GatewayState {
        let response = try await TestHTTP.request(baseURL + "/api/v1/metrics")
        guard response.status == 200,
            let root = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let data = root["data"] as? [[String: Any]]
        else { throw TestFailure("unexpected /api/v1/metrics answer: \(response.status) \(response.text)") }
        var groups: [Group] = []
        for entry in data {
            let labels = entry["labels"] as? [String: String] ?? [:]
            var families: [String: Family] = [:]
            for (name, value) in entry {
                guard let family = value as? [String: Any], let type = family["type"] as? String,
                    let metrics = family["metrics"] as? [[String: Any]]
                else { continue }
                let series = metrics.map {
                    Series(labels: $0["labels"] as? [String: String] ?? [:], value: $0["value"] as? String ?? "?")
                }
                families[name] = Family(type: type, series: series)
            }
            groups.append(
                Group(
                    labels: labels, families: families,
                    lastPushSuccessful: entry["last_push_successful"] as? Bool ?? false))
        }
        return GatewayState(groups: groups)
    }

    func group(_ labels: [String: String]) -> Group? {
        groups.first { $0.labels == labels }
    }

    /// The pushed families of a group, without the two the gateway adds.
    func pushedFamilies(_ labels: [String: String]) -> [String: Family]? {
        group(labels)?.families.filter { $0.key != "push_time_seconds" && $0.key != "push_failure_time_seconds" }
    }
}
