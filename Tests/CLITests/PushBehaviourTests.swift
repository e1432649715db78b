import Foundation
import TestSupport
import Testing

/// How `send` talks to the gateway: put and post, gzip, the gateway's refusal, an address
/// nobody listens on.
@Suite("send: methods, compression, rejection and unreachable gateways", .pushgateway)
struct PushBehaviourTests {
    static let rejected: Int32 = 76
    static let unreachable: Int32 = 75

    func send(_ text: String, job: String, _ arguments: [String] = []) async throws -> CLIRun.Result {
        try await CLIRun.run(
            ["send", "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "p"] + arguments,
            stdin: Data(text.utf8))
    }

    @Test(
        "--method put replaces the whole group, post keeps the families it does not push", arguments: ["put", "post"])
    func method(_ method: String) async throws {
        let job = "cli-method-\(method)"
        let first = try await send("cli_method_a 1\ncli_method_shared 1\n", job: job)
        #expect(first.status == 0, "\(first)")
        let second = try await send("cli_method_b 2\ncli_method_shared 2\n", job: job, ["--method", method])
        #expect(second.status == 0, "\(second)")
        var expected: [PushgatewaySeries: Double] = [
            PushgatewaySeries("cli_method_b"): 2, PushgatewaySeries("cli_method_shared"): 2,
        ]
        if method == "post" { expected[PushgatewaySeries("cli_method_a")] = 1 }
        _ = try await SendTests.expectGroup(job: job, key: ["instance": "p"], series: expected)
    }

    @Test("--compression gzip: the gateway accepts the body and stores the same values, fewer bytes are sent")
    func gzip() async throws {
        // Repetitive text compresses well: the debug log's byte counts must show it.
        let text = (0..<200).map { "cli_gzip_series{index=\"\($0)\",padding=\"aaaaaaaaaaaaaaaa\"} \($0)\n" }.joined()
        let expected = Dictionary(
            uniqueKeysWithValues: (0..<200).map {
                (PushgatewaySeries("cli_gzip_series", ["index": "\($0)", "padding": "aaaaaaaaaaaaaaaa"]), Double($0))
            })
        var sent: [String: Int] = [:]
        for compression in ["gzip", "none"] {
            let job = "cli-compression-\(compression)"
            let result = try await send(text, job: job, ["--compression", compression, "--log-level", "debug"])
            #expect(result.status == 0, "\(result)")
            _ = try await SendTests.expectGroup(job: job, key: ["instance": "p"], series: expected)
            sent[compression] = Self.loggedBytes(result.stderr)
        }
        let gzipped = try #require(sent["gzip"], "no pushgateway.bytes in the debug log")
        let plain = try #require(sent["none"], "no pushgateway.bytes in the debug log")
        #expect(plain > text.utf8.count / 2)
        #expect(gzipped * 5 < plain, "gzip sent \(gzipped) bytes, plain \(plain)")
    }

    /// The `pushgateway.bytes` value of the debug line of a push.
    static func loggedBytes(_ log: String) -> Int? {
        guard let range = log.range(of: "pushgateway.bytes=") else { return nil }
        return Int(log[range.upperBound...].prefix { $0.isNumber })
    }

    @Test("the gateway refuses a family whose type conflicts with another group's: exit 76 with its reason")
    func rejected() async throws {
        let accepted = try await send("# TYPE cli_conflict gauge\ncli_conflict 1\n", job: "cli-reject-first")
        #expect(accepted.status == 0, "\(accepted)")
        let job = "cli-reject-second"
        let result = try await send("# TYPE cli_conflict counter\ncli_conflict 2\n", job: job)
        #expect(result.status == Self.rejected, "\(result)")
        #expect(result.stderr.contains("HTTP 400"), "\(result)")
        // The gateway's own words (Pushgateway 1.5: "pushed metrics are invalid or inconsistent with existing metrics").
        #expect(result.stderr.contains("inconsistent with existing metrics"), "\(result)")
        #expect(result.stderr.contains("cli_conflict"), "\(result)")
        #expect(try await TestPushgateway.groups(job: job).allSatisfy { $0.series.isEmpty })
    }

    @Test("a port nobody listens on: exit 75 within the retry budget, naming the URL")
    func unreachable() async throws {
        let port = FreePort.allocate()
        let started = Date()
        let result = try await CLIRun.run(
            ["send", "--pushgateway", "http://127.0.0.1:\(port)", "--job", "cli-unreachable", "--timeout", "1s"],
            stdin: Data("cli_x 1\n".utf8), timeout: 30)
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == Self.unreachable, "\(result)")
        #expect(result.stderr.contains("127.0.0.1:\(port)") && result.stderr.contains("could not be reached"))
        #expect(result.stderr.contains("attempts"), "\(result)")
        #expect(seconds < 20, "took \(seconds)s")
    }

    @Test("once to a port nobody listens on: exit 75 (delivery failing outranks the missing IPVS)")
    func onceUnreachable() async throws {
        let port = FreePort.allocate()
        let result = try await CLIRun.run(
            ["once", "--pushgateway", "http://127.0.0.1:\(port)", "--timeout", "1s"], timeout: 30)
        #expect(result.status == Self.unreachable, "\(result)")
        #expect(result.stderr.contains("could not be reached"), "\(result)")
    }
}
