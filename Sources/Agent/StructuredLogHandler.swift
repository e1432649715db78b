import Configuration
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Writes one line per event to standard error in logfmt or JSON: the time (UTC, RFC
/// 3339 with milliseconds), the level, the message, the emitting module and the event's
/// metadata as dotted keys. Messages and metadata come from ipvs-push's own code, which
/// never puts secrets in them (URLs are shown without credentials).
public struct StructuredLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: LogFormat

    public init(label: String, format: LogFormat, level: Logger.Level) {
        self.label = label
        self.format = format
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let own = event.metadata { merged.merge(own) { $1 } }
        var fields: [(String, String)] = [
            ("time", Self.timestamp()), ("level", event.level.rawValue), ("msg", event.message.description),
            ("source", event.source),
        ]
        for key in merged.keys.sorted() { fields.append((key, Self.flatten(merged[key]!))) }
        let line = format == .json ? Self.json(fields) : Self.logfmt(fields)
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { raw in _ = write(STDERR_FILENO, raw.baseAddress, raw.count) }
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let entries):
            "{" + entries.keys.sorted().map { "\($0)=\(flatten(entries[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// logfmt: values with blanks, quotes, `=` or control characters are quoted and escaped.
    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let needsQuotes =
                value.isEmpty
                || value.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 }
            return key + "=" + (needsQuotes ? "\"" + escape(value, forJSON: false) + "\"" : value)
        }.joined(separator: " ")
    }

    static func json(_ fields: [(String, String)]) -> String {
        "{"
            + fields.map { "\"\(escape($0.0, forJSON: true))\":\"\(escape($0.1, forJSON: true))\"" }.joined(
                separator: ",") + "}"
    }

    static func escape(_ text: String, forJSON: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += forJSON ? "\\u" + String(repeating: "0", count: 4 - hex.count) + hex : "\\x" + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = Int(now.tv_nsec / 1_000_000)
        let fraction =
            milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)Z"
    }
}
