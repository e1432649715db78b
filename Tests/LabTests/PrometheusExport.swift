import Foundation
import TestSupport

/// The answer of a Prometheus range-vector instant query (`/api/v1/query` with
/// `selector[1h]`), as the raw samples of every series.
enum PrometheusExport {
    static func parse(_ data: Data, source: String) throws -> [StoredSeries] {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            object["status"] as? String == "success", let body = object["data"] as? [String: Any],
            body["resultType"] as? String == "matrix", let result = body["result"] as? [[String: Any]]
        else {
            throw TestFailure(
                "\(source) is not a successful matrix answer: \(String(decoding: data, as: UTF8.self).prefix(500))")
        }
        return try result.map { entry in
            let points = try (entry["values"] as? [[Any]] ?? []).map { pair in
                guard pair.count == 2, let seconds = (pair[0] as? NSNumber)?.doubleValue, let text = pair[1] as? String,
                    let value = PushgatewayGroup.number(text)
                else { throw TestFailure("\(source): unexpected sample \(pair)") }
                return StoredSeries.Point(timestamp: Int64((seconds * 1000).rounded()), value: value)
            }
            return StoredSeries(labels: entry["metric"] as? [String: String] ?? [:], points: points)
        }
    }
}
