import Agent
import ArgumentParser
import Configuration
import Exposition
import HTTPTransport
import PushGateway
import RemoteWrite

/// `send --dry-run`: what each destination would receive, worked out by the code that
/// sends (the push body, the remote-write encoder with its relabel rules, external
/// labels and batching), printed to standard output instead of sent. Nothing connects,
/// and no `--queue-dir` is opened.
struct SendPreview {
    let settings: AgentSettings
    let baseGroup: GroupingKey?

    /// Prints the report; returns the exit code a real send would fail with before it
    /// connects (nil when it would go on to send).
    func report(_ input: ExpositionFiles.Input, inputs: Int, timestampMilliseconds: Int64) -> ExitCode? {
        var lines = ["dry run: nothing was sent"]
        lines.append(
            "input: \(Self.count(inputs, "input")), \(Self.count(input.families.count, "family", "families")), "
                + "\(Self.count(input.seriesCount, "series", "series")), "
                + "\(Self.count(input.sampleCount, "sample"))"
                + (input.timestampedSamples > 0 ? " (\(input.timestampedSamples) with a timestamp)" : ""))
        var exitCode: ExitCode?
        if let gateway = settings.pushgateway, let group = baseGroup {
            do throws(PushGatewayError) {
                try group.validate()
                let payload = try PushPayload(input.families, group: group)
                var line =
                    "pushgateway \(gateway.method.rawValue.uppercased()) \(URLRedaction.redact(PushGatewayClient.url(of: group, baseURL: gateway.url))): "
                    + "\(Self.count(input.families.count, "family", "families")), "
                    + "\(Self.count(input.sampleCount, "sample")), \(Self.count(payload.text.count, "byte")) of text"
                if payload.strippedTimestamps > 0 {
                    line += " (\(Self.count(payload.strippedTimestamps, "timestamp")) removed)"
                }
                lines.append(line)
            } catch {
                let outcome = PushGatewaySink.GroupOutcome(group: group, result: .failure(error))
                if let code = PushOutcomes.report([outcome], dataIsUserInput: true) {
                    exitCode = PushOutcomes.more(exitCode, code)
                }
            }
        }
        for configuration in settings.remoteWrite {
            do throws(RemoteWriteError) {
                let encoder = try RemoteWriteEncoder(configuration: configuration)
                let preview = try encoder.preview(input.families, timestampMilliseconds: timestampMilliseconds)
                lines.append(Self.describe(preview, configuration))
            } catch {
                StandardStreams.error("\(error)")
                exitCode = PushOutcomes.more(exitCode, ExitStatus.configuration)
            }
        }
        StandardStreams.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: 1)
        return exitCode
    }

    private static func describe(_ preview: RemoteWritePreview, _ configuration: RemoteWriteConfiguration) -> String {
        var line =
            "remote write \(configuration.redactedURL) (\(configuration.protocolVersion.rawValue)): "
            + "\(count(preview.series, "series", "series")), \(count(preview.samples, "sample")) in "
            + "\(count(preview.requests, "request")), \(count(preview.bytes, "byte")) compressed"
        var notes: [String] = []
        if preview.series < preview.inputSeries {
            notes.append("\(preview.inputSeries - preview.series) fewer series than the input (write relabel rules)")
        }
        for (reason, samples) in preview.dropped.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            notes.append("\(count(samples, "sample")) dropped: \(reason.rawValue)")
        }
        if !notes.isEmpty { line += "; " + notes.joined(separator: "; ") }
        return line
    }

    private static func count(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(value) " + (value == 1 ? singular : plural ?? singular + "s")
    }
}
