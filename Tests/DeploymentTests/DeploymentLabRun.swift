import Foundation
import TestSupport

/// Boots the IPVS lab once per test process for each of two scenarios:
/// - `deployment` (Lab/scenarios/deployment.sh): `ipvs-push run --config` as the systemd unit
///   runs it, under strace (``strace``); `IPVS_LAB_DEPLOYMENT_RESULTS` names an existing output
///   directory to check instead of booting;
/// - `systemd-unit` (Lab/scenarios/systemd-unit.sh): the unit itself under systemd as PID 1 of
///   a container in the guest (``systemd``); `IPVS_LAB_SYSTEMD_RESULTS` likewise.
struct DeploymentLabRun: Sendable {
    let scenario: String
    let resultsVariable: String
    let environment: [String]
    private let task: Task<URL, any Error>

    init(scenario: String, resultsVariable: String, environment: [String] = []) {
        self.scenario = scenario
        self.resultsVariable = resultsVariable
        self.environment = environment
        task = Task { try await Self.run(scenario, resultsVariable, environment) }
    }

    static let strace = DeploymentLabRun(scenario: "deployment", resultsVariable: "IPVS_LAB_DEPLOYMENT_RESULTS")
    static let systemd = DeploymentLabRun(
        scenario: "systemd-unit", resultsVariable: "IPVS_LAB_SYSTEMD_RESULTS",
        environment: [
            "IPVS_PUSH_UNIT="
                + ProductBinary.packageRoot.appendingPathComponent("deploy/systemd/ipvs-push.service").path
        ])

    /// The scenario's output directory.
    func results() async throws -> URL { try await task.value }

    func text(_ relative: String) async throws -> String {
        let path = try await results().appendingPathComponent(relative).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TestFailure("the \(scenario) scenario left no readable \(path)")
        }
        return text
    }

    private static func run(_ scenario: String, _ resultsVariable: String, _ environment: [String]) async throws -> URL
    {
        let pairs = environment.map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        return try await LabScenario(
            scenario, timeoutSeconds: 600, resultsVariable: resultsVariable,
            environment: Dictionary(uniqueKeysWithValues: pairs.map { ($0[0], $0.count > 1 ? $0[1] : "") }),
            requires: ["/usr/bin/strace": "strace"]
        ).run()
    }
}
