import Foundation
import TestSupport
import Testing

/// Wrong command lines end with exit 64 and say what is wrong, before anything is read or sent.
@Suite("usage errors: exit 64 with a reason")
struct UsageTests {
    static let usage: Int32 = 64

    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var phrase: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    /// A gateway address nobody listens on: a usage error must stop the command before it
    /// tries to push.
    static let url = "http://127.0.0.1:9"

    static let cases: [Case] = [
        Case(arguments: ["send"], phrase: "--pushgateway"),
        Case(arguments: ["once"], phrase: "--pushgateway"),
        Case(arguments: ["run"], phrase: "--pushgateway"),
        Case(arguments: ["send", "--pushgateway", "ftp://x"], phrase: "http://"),
        Case(arguments: ["once", "--pushgateway", "pushgateway:9091"], phrase: "http://"),
        Case(
            arguments: ["send", "--pushgateway", url, "--basic-auth-user", "u"], phrase: "--basic-auth-password-file"),
        Case(
            arguments: [
                "send", "--pushgateway", url, "--basic-auth-user", "u", "--basic-auth-password-file", "/nonexistent",
            ],
            phrase: "/nonexistent"),
        Case(arguments: ["send", "--pushgateway", url, "--bearer-token-file", "/nonexistent"], phrase: "/nonexistent"),
        Case(arguments: ["send", "--pushgateway", url, "--tls-cert-file", "/etc/hostname"], phrase: "--tls-key-file"),
        Case(arguments: ["send", "--pushgateway", url, "--job", ""], phrase: "--job"),
        Case(arguments: ["send", "--pushgateway", url, "--grouping-label", "job=x"], phrase: "job"),
        Case(arguments: ["send", "--pushgateway", url, "--grouping-label", "instance=x"], phrase: "--instance"),
        Case(arguments: ["once", "--pushgateway", url, "--grouping-label", "namespace=x"], phrase: "--namespace-path"),
        Case(arguments: ["send", "--pushgateway", url, "--grouping-label", "novalue"], phrase: "novalue"),
        Case(arguments: ["send", "--pushgateway", url, "--method", "patch"], phrase: "patch"),
        Case(arguments: ["send", "--pushgateway", url, "--compression", "zstd"], phrase: "zstd"),
        Case(arguments: ["send", "--pushgateway", url, "--timeout", "0s"], phrase: "--timeout"),
        Case(arguments: ["send", "--pushgateway", url, "--timeout", "soon"], phrase: "soon"),
        Case(arguments: ["run", "--pushgateway", url, "--interval", "10ms"], phrase: "--interval"),
        Case(arguments: ["once", "--pushgateway", url, "--no-host-namespace"], phrase: "--namespace-path"),
        Case(arguments: ["once", "--pushgateway", url, "--namespace-path", "relative/ns"], phrase: "relative/ns"),
        Case(arguments: ["dump", "--no-host-namespace"], phrase: "--namespace-path"),
        Case(arguments: ["dump", "--namespace-path", "relative/ns"], phrase: "absolute"),
        Case(arguments: ["dump", "--namespace-path", ""], phrase: "absolute"),
        Case(arguments: ["dump", "--format", "xml"], phrase: "xml"),
        Case(arguments: ["dump", "--compat", "other-exporter"], phrase: "other-exporter"),
        Case(arguments: ["dump", "--log-level", "loud"], phrase: "loud"),
        Case(arguments: ["dump", "--no-such-flag"], phrase: "--no-such-flag"),
        Case(arguments: ["frobnicate"], phrase: "frobnicate"),
    ]

    @Test("a wrong command line", arguments: cases)
    func usageError(_ usage: Case) async throws {
        let result = try await CLIRun.run(usage.arguments, stdin: Data("cli_x 1\n".utf8))
        #expect(result.status == Self.usage, "\(result)")
        #expect(result.stderr.contains(usage.phrase), "expected '\(usage.phrase)' in \(result)")
        #expect(!result.stderr.contains("could not be reached"), "it tried to push: \(result)")
    }

    @Test("--help of every subcommand exits 0 and lists the exit codes of the push commands")
    func help() async throws {
        for command in ["dump", "serve", "once", "run", "send"] {
            let result = try await CLIRun.run([command, "--help"])
            #expect(result.status == 0, "\(result)")
            #expect(result.stdout.contains("USAGE"), "\(result)")
        }
        let send = try await CLIRun.run(["send", "--help"])
        #expect(send.stdout.contains("65") && send.stdout.contains("66"), "\(send)")
    }
}
