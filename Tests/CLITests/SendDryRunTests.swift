import Foundation
import TestSupport
import Testing

/// `send --dry-run`, the lint step of a CI job: everything is checked as for a real send,
/// nothing connects, and the figures printed are those a real send then puts on the wire.
@Suite("send --dry-run: checks everything, connects nowhere, predicts what is sent", .serialized)
struct SendDryRunTests {
    /// Every sample carries its own timestamp, so that the remote-write bodies of two runs
    /// are the same bytes (an untimed sample is stamped with the time of sending).
    static let input = """
        # HELP ci_tests_total Tests run.
        # TYPE ci_tests_total counter
        ci_tests_total{suite="unit",result="pass"} 41 1700000000000
        ci_tests_total{suite="unit",result="fail"} 2 1700000000000
        ci_tests_total{suite="lab",result="pass",dc=""} 7 1700000000000
        # TYPE ci_duration_seconds gauge
        ci_duration_seconds{suite="unit"} 12.5 1700000000000

        """

    @Test("nothing reaches the Pushgateway or the receiver, and no queue directory is made")
    func connectsNowhere() async throws {
        let files = try ScratchFiles()
        let path = try files.write("input.prom", Self.input)
        let gateway = try ScriptedHTTPServer([.text(200)])
        let receiver = try ScriptedHTTPServer([.text(204)])
        let writeURL = receiver.url("/api/v1/write")
        let queue = files.path("queue")
        let result = try await CLIRun.run([
            "send", "--dry-run", path, "--pushgateway", "http://127.0.0.1:\(gateway.port)", "--job", "ci",
            "--remote-write", writeURL, "--queue-dir", queue, "--external-label", "dc=fra1",
        ])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "dry run: nothing was sent", "\(result)")
        #expect(lines.contains("input: 1 input, 2 families, 4 series, 4 samples (4 with a timestamp)"), "\(result)")
        #expect(
            lines.contains {
                $0.hasPrefix("pushgateway PUT http://127.0.0.1:\(gateway.port)/metrics/job/ci/instance/")
            },
            "\(result)")
        #expect(lines.contains { $0.hasPrefix("remote write \(writeURL) (1.0): 4 series, 4 samples in ") })
        // The warning a real send gives, on standard error as there.
        #expect(result.stderr.contains("4 sample(s) carried timestamps"), "\(result)")
        try await Task.sleep(for: .milliseconds(200))
        #expect(gateway.requests.isEmpty && receiver.requests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: queue))
    }

    @Test("the sizes printed are what the real send then sends, to the byte")
    func predictsTheWire() async throws {
        let files = try ScratchFiles()
        let path = try files.write("input.prom", Self.input)
        let gateway = try ScriptedHTTPServer([.text(200)])
        for version in ["v1", "v2"] {
            // A 2.0 receiver says how many samples it wrote (without that, the sender falls back to 1.0).
            let receiver = try ScriptedHTTPServer { _, _ in
                .text(204, headers: ["X-Prometheus-Remote-Write-Samples-Written": "2"])
            }
            let arguments = [
                "send", path, "--pushgateway", "http://127.0.0.1:\(gateway.port)", "--job", "ci", "--remote-write",
                receiver.url("/api/v1/write"), "--protocol", version, "--external-label", "dc=fra1",
                "--max-samples-per-send", "2",
            ]
            let preview = try await CLIRun.run(arguments + ["--dry-run"])
            #expect(preview.status == 0, "\(preview)")
            let pushed = gateway.requests.count
            let sent = try await CLIRun.run(arguments)
            #expect(sent.status == 0, "\(sent)")

            let pushBody = gateway.requests.dropFirst(pushed).first?.body.count ?? -1
            #expect(preview.stdout.contains(": 2 families, 4 samples, \(pushBody) bytes of text"), "\(preview)")
            let bodies = receiver.requests.map(\.body.count)
            let requestWord = bodies.count == 1 ? "request" : "requests"
            #expect(
                preview.stdout.contains(
                    "4 series, 4 samples in \(bodies.count) \(requestWord), \(bodies.reduce(0, +)) bytes compressed"),
                "\(version): \(preview.stdout) vs bodies \(bodies)")
            #expect(bodies.count >= 2, "2 samples a request at most")
        }
    }

    @Test("bad input exits 65 as a real send does, and prints no report")
    func badInput() async throws {
        let files = try ScratchFiles()
        let clash = try files.write("clash.prom", "ci_up{job=\"other\"} 1\n")
        let broken = try files.write("broken.prom", "ci_up{ 1\n")
        for path in [clash, broken] {
            let result = try await CLIRun.run([
                "send", "--dry-run", path, "--pushgateway", "http://127.0.0.1:9", "--remote-write",
                "http://127.0.0.1:9/api/v1/write",
            ])
            #expect(result.status == 65, "\(result)")
            #expect(result.stdout.isEmpty, "\(result)")
            #expect(result.stderr.contains("\(path):1:"), "\(result)")
        }
    }
}
