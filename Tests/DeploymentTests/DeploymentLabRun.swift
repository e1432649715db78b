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
        if let existing = ProcessInfo.processInfo.environment[resultsVariable], !existing.isEmpty {
            return URL(fileURLWithPath: existing)
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/linux.uml") else {
            throw TestFailure(
                "/usr/bin/linux.uml is missing: the lab needs `apt-get install user-mode-linux` (make deps)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            throw TestFailure("/usr/bin/strace is missing: `apt-get install strace` (make deps)")
        }
        let runner = ProductBinary.packageRoot.appendingPathComponent("Lab/ipvs-lab").path
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-lab-\(scenario)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let logFile = output.appendingPathExtension("log")
        let status = try await ShellCommand.runInBackground(
            [runner, "--timeout", "600", "--out", output.path, "--env", "IPVS_PUSH=\(try ProductBinary.path())"]
                + environment.flatMap { ["--env", $0] } + [scenario],
            log: logFile)
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let trace =
                (try? String(contentsOf: output.appendingPathComponent("scenario.stderr"), encoding: .utf8)) ?? ""
            throw TestFailure(
                "the lab's \(scenario) scenario failed with exit status \(status) (output in \(output.path)):\n"
                    + "\(log.suffix(1500))\n--- scenario.stderr ---\n\(trace.suffix(3000))")
        }
        return output
    }
}
