import Foundation
import TestSupport

/// Boots the IPVS lab once per test process with the `deployment` scenario
/// (Lab/scenarios/deployment.sh): `ipvs-push run --config` as the systemd unit runs it, under
/// strace. `IPVS_LAB_DEPLOYMENT_RESULTS` names an existing output directory to check instead.
enum DeploymentLabRun {
    static let shared = Task<URL, any Error> { try await run() }

    /// The scenario's output directory.
    static func results() async throws -> URL { try await shared.value }

    static func text(_ relative: String) async throws -> String {
        let path = try await results().appendingPathComponent(relative).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TestFailure("the deployment scenario left no readable \(path)")
        }
        return text
    }

    private static func run() async throws -> URL {
        if let existing = ProcessInfo.processInfo.environment["IPVS_LAB_DEPLOYMENT_RESULTS"], !existing.isEmpty {
            return URL(fileURLWithPath: existing)
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/linux.uml") else {
            throw TestFailure("/usr/bin/linux.uml is missing: the lab needs `apt-get install user-mode-linux` (make deps)")
        }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            throw TestFailure("/usr/bin/strace is missing: `apt-get install strace` (make deps)")
        }
        let runner = ProductBinary.packageRoot.appendingPathComponent("Lab/ipvs-lab").path
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-lab-deployment-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let logFile = output.appendingPathExtension("log")
        let status = try await DeploymentCommand.runInBackground(
            [
                runner, "--timeout", "600", "--out", output.path, "--env", "IPVS_PUSH=\(try ProductBinary.path())",
                "deployment",
            ], log: logFile)
        let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let trace = (try? String(contentsOf: output.appendingPathComponent("scenario.stderr"), encoding: .utf8)) ?? ""
            throw TestFailure(
                "the lab's deployment scenario failed with exit status \(status) (output in \(output.path)):\n"
                    + "\(log.suffix(1500))\n--- scenario.stderr ---\n\(trace.suffix(3000))")
        }
        return output
    }
}
