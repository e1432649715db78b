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
        let values = [
            "LAB_SECRET_VM_PASSWORD": "vmpw\(UUID().uuidString.prefix(18))",
            "LAB_SECRET_PROM_TOKEN": "promtok\(UUID().uuidString.prefix(18))",
            "LAB_SECRET_PG_PASSWORD": "pgpw\(UUID().uuidString.prefix(18))",
        ]
        let results = LabResults(
            directory: try await LabScenario(
                "agent-run", memory: "1G", timeoutSeconds: 1500, resultsVariable: "IPVS_LAB_AGENT_RUN_RESULTS",
                environment: values, logs: ["logs/agent.log"]
            ).run())
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
