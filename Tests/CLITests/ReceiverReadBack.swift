import Foundation
import TestSupport

/// Reads back what a real remote-write receiver stored, through its own query APIs.
enum ReceiverReadBack {
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }

    static func json(_ url: String) async throws -> [String: Any] {
        let response = try await TestHTTP.request(url)
        guard response.status == 200,
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        else { throw TestFailure("GET \(url) answered \(response.status): \(response.text.prefix(500))") }
        return object
    }

    /// Prometheus: every raw sample of the series matching `selector` in the hour before
    /// `time` (milliseconds), through a range-vector instant query.
    static func prometheus(_ baseURL: String, _ selector: String, at time: Int64) async throws -> [StoredSeries] {
        let url = "\(baseURL)/api/v1/query?query=\(encode("\(selector)[1h]"))&time=\(Double(time) / 1000)"
        let object = try await json(url)
        guard let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw TestFailure("unexpected answer from \(url): \(object)")
        }
        return try result.map { entry in
            let points = try (entry["values"] as? [[Any]] ?? []).map { pair in
                guard pair.count == 2, let seconds = pair[0] as? Double ?? (pair[0] as? Int).map(Double.init),
                    let text = pair[1] as? String, let value = PushgatewayGroup.number(text)
                else { throw TestFailure("unexpected sample \(pair) from \(url)") }
                return StoredSeries.Point(timestamp: Int64((seconds * 1000).rounded()), value: value)
            }
            return StoredSeries(labels: entry["metric"] as? [String: String] ?? [:], points: points)
        }
    }

    /// Prometheus: `/api/v1/metadata` as metric name to (type, help).
    static func prometheusMetadata(_ baseURL: String) async throws -> [String: (type: String, help: String)] {
        let object = try await json("\(baseURL)/api/v1/metadata")
        var result: [String: (type: String, help: String)] = [:]
        for (name, entries) in object["data"] as? [String: [[String: Any]]] ?? [:] {
            guard let first = entries.first else { continue }
            result[name] = (first["type"] as? String ?? "", first["help"] as? String ?? "")
        }
        return result
    }

    /// VictoriaMetrics: every raw sample of the series matching `selector`, after flushing
    /// its in-memory buffers so that what was just written is visible. The export's end is
    /// given a minute ahead: by default it ends at the current whole second, which leaves
    /// out samples stamped within the last second.
    static func victoria(_ baseURL: String, _ selector: String) async throws -> [StoredSeries] {
        let flushed = try await TestHTTP.request("\(baseURL)/internal/force_flush")
        guard flushed.status == 200 else { throw TestFailure("force_flush answered \(flushed.status)") }
        let end = Int(Date().timeIntervalSince1970) + 60
        let url = "\(baseURL)/api/v1/export?match%5B%5D=\(encode(selector))&end=\(end)"
        let response = try await TestHTTP.request(url)
        guard response.status == 200 else {
            throw TestFailure("GET \(url) answered \(response.status): \(response.text.prefix(500))")
        }
        return try StoredSeries.parseVictoriaExport(response.text)
    }
}
