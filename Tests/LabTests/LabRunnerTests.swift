import Foundation
import TestSupport
import Testing

/// `Lab/ipvs-lab` itself: arguments and environment reach the scenario intact, the exit
/// status is the scenario's, and the documented codes for a hung or silent guest and for
/// usage errors. These boots run beside the integration boot, which also shows that
/// concurrent boots do not disturb each other.
@Suite("IPVS lab: the ipvs-lab runner")
struct LabRunnerTests {
    /// Runs `Lab/ipvs-lab ARGUMENTS` with a scenario whose body is `script`.
    private func runLab(_ arguments: [String], script: String?) async throws -> ChildProcess.Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-labrunner-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var all = arguments
        if let script {
            let scenario = directory.appendingPathComponent("scenario.sh")
            try ("#!/bin/bash\n" + script + "\n").write(to: scenario, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scenario.path)
            all.insert(scenario.path, at: all.firstIndex(of: "--") ?? all.endIndex)
            all.removeAll { $0 == "--" }
        }
        // The runner bounds its own boots (its timeouts are what some of these tests check).
        return try await ChildProcess.run(
            LabRun.packageRoot.appendingPathComponent("Lab/ipvs-lab").path, all, timeout: nil)
    }

    @Test("arguments, --env values and the exit status pass through unchanged")
    func argumentsEnvironmentAndStatus() async throws {
        let outcome = try await runLab(
            ["--env", "ODD=a b\"c$d'e\\f", "--env", "EMPTY=", "--", "x y", "", "z'q"],
            script: """
                printf '[%s]' "$@"; echo
                echo "ODD=$ODD EMPTY=${EMPTY-unset} OUT=$LAB_OUT uid=$(id -u)"
                [ -e /proc/net/ip_vs ] && echo "ip_vs already loaded"
                echo "to stderr" >&2
                exit 7
                """)
        #expect(outcome.status == 7, "stderr: \(outcome.stderr)")
        #expect(outcome.stdout == "[x y][][z'q]\nODD=a b\"c$d'e\\f EMPTY= OUT=/run/lab/out uid=0\n")
        #expect(outcome.stderr.contains("to stderr"))
    }

    @Test("a guest that does not power off in time is killed: exit 124")
    func timeout() async throws {
        let outcome = try await runLab(["--timeout", "6"], script: "sleep 120")
        #expect(outcome.status == 124)
        #expect(outcome.stderr.contains("did not power off within 6s"), "stderr: \(outcome.stderr)")
    }

    @Test("a guest that records no exit status: exit 125")
    func noExitStatus() async throws {
        let outcome = try await runLab([], script: "poweroff -f")
        #expect(outcome.status == 125)
        #expect(outcome.stderr.contains("recorded no exit status"), "stderr: \(outcome.stderr)")
    }

    @Test(
        "usage errors: exit 126 without booting",
        arguments: [
            ([String](), "no scenario given"),
            (["--env", "1BAD=x", "demo"], "is not NAME=VALUE"),
            (["--mem", "lots", "demo"], "is not a size"),
            (["no-such-scenario"], "not found"),
        ])
    func usage(arguments: [String], message: String) async throws {
        let outcome = try await runLab(arguments, script: nil)
        #expect(outcome.status == 126)
        #expect(outcome.stderr.contains(message), "stderr: \(outcome.stderr)")
    }
}
