import Foundation
import TestSupport

/// Boots the IPVS lab once per test process with the `agent-run` scenario (see
/// Lab/scenarios/agent-run.sh): `ipvs-push run --config` with a Pushgateway, two
/// remote-write receivers and `/metrics`, SIGHUP with a changed and an invalid file, and
/// SIGTERM with a backlog. Every test of ``LabAgentRunTests`` awaits the same run.
///
/// The credentials the scenario writes into the agent's configuration are made up here and
/// handed to the guest with `--env`, so that no output file holds them unless the agent
/// (or a sink) leaked them.
///
/// Environment:
/// - `IPVS_PUSH_BINARY`: the binary to test (see ``ProductBinary``).
/// - `IPVS_LAB_AGENT_RUN_RESULTS`: an existing output directory of
///   `Lab/ipvs-lab --out DIR --env IPVS_PUSH=... agent-run` to check instead of booting (for
///   working on the tests); its `secrets.env` then names the credentials.
enum AgentRunLab {
    /// One finished run: its output directory and the credentials it used.
    struct Run: Sendable {
        var results: LabResults
        /// Each credential, with the user name it goes with when it is a basic-auth password.
        var secrets: [(secret: String, user: String?)]
    }

    static let shared = Task<Run, any Error> { try await run() }

    static func results() async throws -> Run { try await shared.value }

    /// Files the scenario writes only when it made up the credentials itself.
    static let secretsFile = "secrets.env"

    private static func run() async throws -> Run {
        if let existing = ProcessInfo.processInfo.environment["IPVS_LAB_AGENT_RUN_RESULTS"], !existing.isEmpty {
            let results = LabResults(directory: URL(fileURLWithPath: existing))
            let values = try results.environment(secretsFile)
            return Run(results: results, secrets: try secrets(values))
        }
        let runner = ProductBinary.packageRoot.appendingPathComponent("Lab/ipvs-lab").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/linux.uml") else {
            throw TestFailure(
                "/usr/bin/linux.uml is missing: the lab needs `apt-get install user-mode-linux` (make deps)")
        }
        let binary = try ProductBinary.path()
        let values = [
            "LAB_SECRET_VM_PASSWORD": "vmpw\(UUID().uuidString.prefix(18))",
            "LAB_SECRET_PROM_TOKEN": "promtok\(UUID().uuidString.prefix(18))",
            "LAB_SECRET_PG_PASSWORD": "pgpw\(UUID().uuidString.prefix(18))",
        ]
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-lab-agent-run-\(UUID().uuidString.prefix(8))")
        let log = output.appendingPathExtension("log")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: runner)
        process.arguments =
            ["--timeout", "1500", "--mem", "1G", "--out", output.path, "--env", "IPVS_PUSH=\(binary)"]
            + values.sorted { $0.key < $1.key }.flatMap { ["--env", "\($0.key)=\($0.value)"] } + ["agent-run"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        let started = Date()
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: TestFailure("cannot start \(runner): \(error)"))
            }
        }
        let results = LabResults(directory: output)
        let seconds = Int(Date().timeIntervalSince(started))
        guard status == 0 else {
            let runnerLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let trace = (try? results.text("scenario.stderr")) ?? "(no scenario.stderr)"
            let agent = (try? results.text("logs/agent.log")) ?? "(no logs/agent.log)"
            throw TestFailure(
                "the lab's agent-run scenario failed with exit status \(status) after \(seconds)s (output in "
                    + "\(output.path)):\n\(runnerLog.suffix(1500))\n--- scenario.stderr ---\n\(trace.suffix(3000))"
                    + "\n--- logs/agent.log ---\n\(agent.suffix(3000))")
        }
        return Run(results: results, secrets: try secrets(values))
    }

    private static func secrets(_ values: [String: String]) throws -> [(secret: String, user: String?)] {
        func value(_ name: String) throws -> String {
            try require(values[name].flatMap { $0.isEmpty ? nil : $0 }, "no \(name) for the agent-run lab")
        }
        return [
            (try value("LAB_SECRET_VM_PASSWORD"), "lab-victoria"),
            (try value("LAB_SECRET_PROM_TOKEN"), nil),
            (try value("LAB_SECRET_PG_PASSWORD"), "lab-pushgateway"),
        ]
    }
}
