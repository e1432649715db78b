import Foundation

/// Checks exposition bytes with real, independent parsers: Prometheus' `promtool check
/// metrics` (2.42 from Debian: text 0.0.4 parsing and lint) and the reference Python
/// client's strict OpenMetrics parser (Debian's python3-prometheus-client), which is
/// what OpenMetrics output is held to, since promtool 2.42 cannot read it.
public enum FormatCheck {
    public struct Result: Sendable, CustomStringConvertible {
        public var status: Int32
        public var output: String
        public var description: String { "exit \(status): \(output)" }
    }

    /// `promtool check metrics` on `bytes`: exit 0 and no output means parsed and lint-clean.
    public static func promtool(_ bytes: [UInt8]) throws -> Result {
        try run("/usr/bin/promtool", ["check", "metrics"], input: bytes, installHint: "apt: prometheus")
    }

    /// The reference OpenMetrics parser on `bytes`: exit 0 means a valid OpenMetrics
    /// document (it prints the family count).
    public static func openMetrics(_ bytes: [UInt8]) throws -> Result {
        let script = """
            import sys
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            families = list(text_string_to_metric_families(sys.stdin.buffer.read().decode("utf-8")))
            print(len(families))
            """
        return try run("/usr/bin/python3", ["-c", script], input: bytes, installHint: "apt: python3-prometheus-client")
    }

    private static func run(_ tool: String, _ arguments: [String], input bytes: [UInt8], installHint: String) throws
        -> Result
    {
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw TestFailure("\(tool) is not installed; `make test` installs it (\(installHint))")
        }
        let result = try ChildProcess.runBlocking(tool, arguments, stdin: Data(bytes), output: .merged)
        return Result(status: result.status, output: result.stdout)
    }
}
