import Exposition
import Foundation

/// The group a push goes to: the `job` and further grouping labels, which the
/// Pushgateway takes from the URL path and adds to every pushed sample.
///
/// The path follows the gateway's rules: `/metrics/job/<JOB>{/<LABEL>/<VALUE>}`,
/// where a value containing `/` (or one the path would normalise away, `.` and `..`)
/// goes as URL-safe base64 with `@base64` appended to the name, an empty value as
/// `<name>@base64/=`, and any other value percent-encoded (a space is `%20`).
public struct GroupingKey: Sendable, Hashable {
    public var job: String
    /// Further grouping labels, in the order they appear in the path.
    public var labels: [Label]

    public init(job: String, labels: [Label] = []) {
        self.job = job
        self.labels = labels
    }

    public init(job: String, _ labels: KeyValuePairs<String, String>) {
        self.init(job: job, labels: labels.map { Label($0.key, $0.value) })
    }

    /// `job` and the grouping label names: the labels a pushed sample must not carry.
    public var labelNames: Set<String> {
        Set(["job"] + labels.map(\.name))
    }

    /// Throws unless the gateway can accept this key: a non-empty job, grouping label
    /// names that are valid Prometheus names, not reserved (`__` prefix), not `job`, and
    /// not repeated.
    public func validate() throws(PushGatewayError) {
        guard !job.isEmpty else {
            throw .invalidGroupingKey("the job name is empty; the Pushgateway requires one")
        }
        var seen: Set<String> = []
        for label in labels {
            guard Label.isValidName(label.name) else {
                throw .invalidGroupingKey(
                    "grouping label name \"\(label.name)\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)")
            }
            guard !label.name.hasPrefix("__") else {
                throw .invalidGroupingKey("grouping label name \"\(label.name)\" is reserved (starts with __)")
            }
            guard label.name != "job" else {
                throw .invalidGroupingKey("\"job\" cannot be a grouping label; it is the job name")
            }
            guard seen.insert(label.name).inserted else {
                throw .invalidGroupingKey("grouping label \"\(label.name)\" is given twice")
            }
        }
    }

    /// The URL path of the group, starting with `/metrics/job`.
    public var path: String {
        var path = "/metrics"
        Self.appendSegment(name: "job", value: job, to: &path)
        for label in labels { Self.appendSegment(name: label.name, value: label.value, to: &path) }
        return path
    }

    private static func appendSegment(name: String, value: String, to path: inout String) {
        if value.isEmpty {
            path += "/\(name)@base64/="
        } else if value.contains("/") || value == "." || value == ".." {
            path += "/\(name)@base64/\(base64URL(value))"
        } else {
            path += "/\(name)/\(percentEncoded(value))"
        }
    }

    /// URL-safe base64 (RFC 4648 §5) without padding, which the gateway decodes.
    static func base64URL(_ value: String) -> String {
        var text = Data(value.utf8).base64EncodedString()
        text = String(text.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// Every byte outside RFC 3986's unreserved set as `%XX`.
    static func percentEncoded(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
