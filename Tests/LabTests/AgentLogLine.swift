import Foundation
import TestSupport

/// One line of the agent's `--log-format json` log: every field as text (the handler writes
/// every value as a JSON string).
struct AgentLogLine: Sendable, CustomStringConvertible {
    var fields: [String: String]
    /// The line as written, for messages.
    var text: String

    var message: String { fields["msg"] ?? "" }
    var level: String { fields["level"] ?? "" }

    /// `time` (RFC 3339, UTC, milliseconds) in milliseconds since the epoch.
    var milliseconds: Int64? {
        guard let time = fields["time"] else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: time).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    var description: String { text }

    /// Every line of `log`; a line that is not a JSON object of strings with `time`,
    /// `level` and `msg` is an error.
    static func parse(_ log: String) throws -> [AgentLogLine] {
        try log.split(separator: "\n").enumerated().map { index, line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let fields = object as? [String: String], fields["time"] != nil, fields["level"] != nil,
                fields["msg"] != nil
            else { throw TestFailure("log line \(index + 1) is not a JSON log event: \(line.prefix(300))") }
            return AgentLogLine(fields: fields, text: String(line))
        }
    }

    /// The collection times of the cycles the agent logged (`collected`, debug level).
    static func cycleTimestamps(_ lines: [AgentLogLine]) -> [Int64] {
        lines.filter { $0.message == "collected" && $0.fields["source"] == "Agent" }.compactMap {
            $0.fields["timestamp_ms"].flatMap { Int64($0) }
        }
    }
}
