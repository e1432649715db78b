import Foundation

/// One series as a remote-write receiver stored it: every label (`__name__` included) and
/// its raw samples, oldest first. Read from VictoriaMetrics' `/api/v1/export` with
/// ``parseVictoriaExport(_:)``, or from a Prometheus range query by the tests themselves.
public struct StoredSeries: Sendable, CustomStringConvertible {
    /// One stored sample: milliseconds since the epoch and the value.
    public struct Point: Sendable, Equatable, CustomStringConvertible {
        public var timestamp: Int64
        public var value: Double

        public init(timestamp: Int64, value: Double) {
            self.timestamp = timestamp
            self.value = value
        }

        /// NaN equals NaN; every other value must be exactly equal.
        public static func == (a: Point, b: Point) -> Bool {
            a.timestamp == b.timestamp && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
        }

        public var description: String { "\(value)@\(timestamp)" }
    }

    public var labels: [String: String]
    public var points: [Point]

    public init(labels: [String: String], points: [Point]) {
        self.labels = labels
        self.points = points
    }

    /// The metric name (`__name__`).
    public var name: String { labels["__name__"] ?? "" }

    /// The name and the other labels sorted, as the text format writes a series.
    public var key: String {
        let rendered = labels.filter { $0.key != "__name__" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\"\($0.value)\"" }
        return "\(name){\(rendered.joined(separator: ","))}"
    }

    public var description: String { "\(key) \(points)" }

    /// The series of a VictoriaMetrics `/api/v1/export` answer (one JSON object a line:
    /// `{"metric":{...},"values":[...],"timestamps":[...]}`; a series stored in several
    /// blocks may take several lines, merged here), each with its points sorted by time;
    /// staleness markers (exported as `null`) are NaN.
    public static func parseVictoriaExport(_ text: String) throws -> [StoredSeries] {
        var series: [String: StoredSeries] = [:]
        for (index, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let labels = object["metric"] as? [String: String], let values = object["values"] as? [Any],
                let timestamps = object["timestamps"] as? [Any], values.count == timestamps.count
            else { throw TestFailure("export line \(index + 1) is not a series: \(line.prefix(300))") }
            var points: [Point] = []
            for (value, timestamp) in zip(values, timestamps) {
                guard let time = (timestamp as? NSNumber)?.int64Value else {
                    throw TestFailure("export line \(index + 1): timestamp \(timestamp) is not a number")
                }
                // VictoriaMetrics exports a staleness marker as null.
                let number: Double? =
                    if value is NSNull { .nan } else if let text = value as? String { Double(text) } else {
                        (value as? NSNumber)?.doubleValue
                    }
                guard let number else { throw TestFailure("export line \(index + 1): value \(value) is not a number") }
                points.append(Point(timestamp: time, value: number))
            }
            let entry = StoredSeries(labels: labels, points: points)
            series[entry.key, default: StoredSeries(labels: labels, points: [])].points += points
        }
        return series.values.map { entry in
            StoredSeries(labels: entry.labels, points: entry.points.sorted { $0.timestamp < $1.timestamp })
        }.sorted { $0.key < $1.key }
    }
}
