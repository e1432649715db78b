import Exposition
import Foundation
import TestSupport
import Testing

/// The renderer's output checked by the real `promtool check metrics` (Debian's
/// prometheus 2.42). That promtool reads stdin with the text 0.0.4 parser, for
/// OpenMetrics too (`# UNIT` and `# EOF` are comments to it), and lints names and help.
@Suite struct PromtoolTests {
    /// Everything the model can hold, in the text format, passes parsing and lint.
    @Test func textFormatPasses() throws {
        let rendered = ExpositionRenderer.render(Fixtures.all(), format: .prometheus)
        let result = try FormatCheck.promtool(rendered)
        #expect(result.status == 0, "promtool: \(result.output)\n\(String(decoding: rendered, as: UTF8.self))")
        #expect(result.output.isEmpty)
    }

    /// OpenMetrics output of gauges, histograms, summaries, units, escaped label values
    /// and special values passes promtool 2.42.
    @Test func openMetricsPasses() throws {
        let families = [
            Fixtures.gaugeWithEscaping(quoteInHelp: false), Fixtures.gaugeWithSpecialValues(), Fixtures.histogram(),
            Fixtures.summary(), Fixtures.empty(),
        ]
        let rendered = ExpositionRenderer.render(families, format: .openMetrics)
        #expect(rendered.suffix(6).elementsEqual("# EOF\n".utf8))
        #expect(String(decoding: rendered, as: UTF8.self).contains("# UNIT test_request_duration_seconds seconds\n"))
        let result = try FormatCheck.promtool(rendered)
        #expect(result.status == 0, "promtool: \(result.output)\n\(String(decoding: rendered, as: UTF8.self))")
        #expect(result.output.isEmpty)
    }

    /// What promtool 2.42 cannot take from valid OpenMetrics, pinned so that a change
    /// (a newer promtool, or a renderer change) shows up here. Each is correct
    /// OpenMetrics: promtool reads it with the text 0.0.4 parser.
    @Test func openMetricsConstructsPromtool242Rejects() throws {
        let versionText = try ChildProcess.runBlocking("/usr/bin/promtool", ["--version"], output: .merged).stdout
        guard versionText.contains("version 2.42.") else { return }

        func rendered(_ family: MetricFamily) -> [UInt8] {
            ExpositionRenderer.render([family], format: .openMetrics)
        }
        // A counter family is named without `_total` and its samples with it: the text
        // parser sees the samples as a second, untyped family without help (lint, exit 3).
        let counter = try FormatCheck.promtool(rendered(Fixtures.counter()))
        #expect(counter.status == 3)
        #expect(counter.output == "ipvs_service_connections_total no help text\n")
        // `unknown` is not a text-format type.
        let untyped = try FormatCheck.promtool(rendered(Fixtures.untyped()))
        #expect(untyped.status == 1)
        #expect(untyped.output.contains(#"unknown metric type "unknown""#))
        // Timestamps in seconds with a fraction are not integer milliseconds.
        let timestamped = try FormatCheck.promtool(rendered(Fixtures.timestamped()))
        #expect(timestamped.status == 1)
        #expect(timestamped.output.contains(#"expected integer as timestamp, got "1700000000.123""#))
        // `\"` in help text is an OpenMetrics escape only.
        let quoted = try FormatCheck.promtool(rendered(Fixtures.gaugeWithEscaping(quoteInHelp: true)))
        #expect(quoted.status == 1)
        #expect(quoted.output.contains(#"invalid escape sequence '\"'"#))
    }
}
