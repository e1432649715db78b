import Foundation
import TestSupport
import Testing

/// `send` checks every input completely before sending: a mistake anywhere gives exit 65,
/// `FILE:LINE: reason` on standard error, and nothing reaches the gateway.
@Suite("send: malformed and missing inputs push nothing", .pushgateway)
struct SendInputErrorTests {
    /// The exit code of malformed input (README, "Exit codes").
    static let badInput: Int32 = 65
    /// The exit code of an input that cannot be read.
    static let noInput: Int32 = 66

    @Test("a malformed input: exit 65, FILE:LINE: reason, nothing pushed", arguments: BadInput.all)
    func malformed(_ input: BadInput) async throws {
        let files = try ScratchFiles()
        var paths = try input.files.map { try files.write($0.name, $0.bytes) }
        if input.stdin != nil { paths.append("-") }
        let result = try await CLIRun.run(
            ["send"] + paths + ["--pushgateway", try TestPushgateway.url, "--job", input.job] + input.extraArguments,
            stdin: input.stdin.map { Data($0) })
        #expect(result.status == Self.badInput, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains(input.phrase), "expected '\(input.phrase)' in \(result)")
        #expect(try await TestPushgateway.groups(job: input.job).isEmpty, "a group was pushed")
        let errorPath = input.errorFile == "<stdin>" ? "<stdin>" : files.path(input.errorFile)
        let location = "error: \(errorPath):\(input.line): "
        do {
            #expect(result.stderr.contains(location), "expected \(location) in \(result)")
            #expect(result.stderr.contains("nothing was sent"), "\(result)")
        }
    }

    @Test("a series repeated in a later file: the message names the line that has it first")
    func duplicateNamesTheRightFile() async throws {
        let files = try ScratchFiles()
        let paths = try [
            files.write("a.prom", "cli_dup{a=\"1\"} 1\n"), files.write("b.prom", "cli_dup{a=\"2\"} 1\n"),
            files.write("c.prom", "cli_dup{a=\"2\"} 1\n"),
        ]
        let job = "cli-bad-duplicate-third-file"
        let result = try await CLIRun.run(["send"] + paths + ["--pushgateway", try TestPushgateway.url, "--job", job])
        #expect(result.status == Self.badInput, "\(result)")
        #expect(
            result.stderr.contains("\(paths[2]):1: series cli_dup{a=\"2\"} was already given at \(paths[1]):1"),
            "\(result)")
        #expect(try await TestPushgateway.groups(job: job).isEmpty)
    }

    @Test("a missing file: exit 66 naming it, nothing pushed, even when other inputs are fine")
    func missingFile() async throws {
        let files = try ScratchFiles()
        let good = try files.write("good.prom", BadInput.good)
        let missing = files.path("missing.prom")
        let job = "cli-bad-missing-file"
        let result = try await CLIRun.run([
            "send", good, missing, "--pushgateway", try TestPushgateway.url, "--job", job,
        ])
        #expect(result.status == Self.noInput, "\(result)")
        #expect(result.stderr.contains(missing) && result.stderr.contains("No such file"), "\(result)")
        #expect(try await TestPushgateway.groups(job: job).isEmpty)
    }

    @Test("a directory as input: exit 66, nothing pushed")
    func directoryInput() async throws {
        let files = try ScratchFiles()
        let job = "cli-bad-directory"
        let result = try await CLIRun.run([
            "send", files.directory.path, "--pushgateway", try TestPushgateway.url, "--job", job,
        ])
        #expect(result.status == Self.noInput, "\(result)")
        #expect(result.stderr.contains(files.directory.path), "\(result)")
        #expect(try await TestPushgateway.groups(job: job).isEmpty)
    }
}
