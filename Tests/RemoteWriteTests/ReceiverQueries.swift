import Foundation
import TestSupport

/// Reading back what a real receiver stored, through its query APIs.
enum ReceiverQueries {
    /// One stored series: its labels and its raw samples.
    struct StoredSeries: Equatable, CustomStringConvertible {
        var labels: [String: String]
        var points: [Point]
        var description: String { "\(labels.sorted { $0.key < $1.key }) \(points)" }
    }

    struct Point: Equatable, CustomStringConvertible {
        var timestamp: Int64
        var value: Double
        var description: String { "\(value)@\(timestamp)" }
        static func == (lhs: Point, rhs: Point) -> Bool {
            lhs.timestamp == rhs.timestamp && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
        }
    }

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

    /// Prometheus: the raw samples of every series matching `selector` within
    /// `window` before `time` (a range-vector query; stale markers are not shown).
    static func prometheusRaw(_ baseURL: String, _ selector: String, window: String = "1h", time: Int64)
        async throws -> [StoredSeries]
    {
        let url = "\(baseURL)/api/v1/query?query=\(encode("\(selector)[\(window)]"))&time=\(Double(time) / 1000)"
        let object = try await json(url)
        guard let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw TestFailure("unexpected answer from \(url): \(object)")
        }
        return result.map { entry in
            let labels = entry["metric"] as? [String: String] ?? [:]
            let values = entry["values"] as? [[Any]] ?? []
            let points = values.map { pair in
                Point(
                    timestamp: Int64(((pair[0] as? Double) ?? Double(pair[0] as? Int ?? 0)) * 1000 + 0.5),
                    value: Double(pair[1] as? String ?? "") ?? .nan)
            }
            return StoredSeries(labels: labels, points: points)
        }
    }

    /// Prometheus: the label sets an instant query for `selector` at `time` returns.
    static func prometheusInstant(_ baseURL: String, _ selector: String, time: Int64) async throws -> [[String: String]]
    {
        let url = "\(baseURL)/api/v1/query?query=\(encode(selector))&time=\(Double(time) / 1000)"
        let object = try await json(url)
        let result = (object["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
        return result.map { $0["metric"] as? [String: String] ?? [:] }
    }

    /// VictoriaMetrics: every raw sample of the series matching `selector` (after
    /// flushing its in-memory buffers), stale markers included as NaN.
    static func victoriaExport(_ baseURL: String, _ selector: String) async throws -> [StoredSeries] {
        _ = try await TestHTTP.request("\(baseURL)/internal/force_flush")
        let response = try await TestHTTP.request("\(baseURL)/api/v1/export?match%5B%5D=\(encode(selector))")
        guard response.status == 200 else {
            throw TestFailure("VictoriaMetrics export answered \(response.status): \(response.text.prefix(500))")
        }
        var series: [StoredSeries] = []
        for line in response.text.split(separator: "\n") where !line.isEmpty {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                continue
            }
            let labels = object["metric"] as? [String: String] ?? [:]
            let values = object["values"] as? [Any] ?? []
            let timestamps = object["timestamps"] as? [Any] ?? []
            var points: [Point] = []
            for (value, timestamp) in zip(values, timestamps) {
                let number: Double
                if let double = value as? Double {
                    number = double
                } else if let int = value as? Int {
                    number = Double(int)
                } else {
                    number = Double(value as? String ?? "") ?? .nan
                }
                points.append(Point(timestamp: Int64((timestamp as? Int) ?? 0), value: number))
            }
            series.append(StoredSeries(labels: labels, points: points.sorted { $0.timestamp < $1.timestamp }))
        }
        return series
    }
}
