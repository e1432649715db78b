import Foundation
import TestSupport

/// Reading Prometheus' HTTP API for the agreement tests.
enum PrometheusAPI {
    /// The answer to an instant query: each result's labels, or Prometheus' error text.
    enum Answer {
        case series([[String: String]])
        case error(String)
    }

    static func query(_ prometheus: ExternalServer, _ expression: String) async throws -> Answer {
        let response = try await TestHTTP.request(prometheus.baseURL + "/api/v1/query?query=" + encode(expression))
        guard let root = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw TestFailure("Prometheus answered \(response.status): \(response.text)")
        }
        if let error = root["error"] as? String { return .error(error) }
        guard let data = root["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw TestFailure("Prometheus answered \(response.status): \(response.text)")
        }
        return .series(result.map { ($0["metric"] as? [String: String]) ?? [:] })
    }

    /// Every stored series' labels (`/api/v1/series` for all names).
    static func allSeries(_ prometheus: ExternalServer) async throws -> [[String: String]] {
        let response = try await TestHTTP.request(
            prometheus.baseURL + "/api/v1/series?" + encode("match[]") + "=" + encode("{__name__=~\".+\"}"))
        guard response.status == 200,
            let root = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let data = root["data"] as? [[String: String]]
        else {
            throw TestFailure("Prometheus series answered \(response.status): \(response.text)")
        }
        return data
    }

    /// Percent-encodes everything but unreserved characters (a `+` must not become a space).
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)!
    }

    /// `text` as a PromQL double-quoted string (Go escapes).
    static func stringLiteral(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += String(format: "\\x%02x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
