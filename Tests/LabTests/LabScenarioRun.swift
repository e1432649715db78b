import Foundation
import TestSupport

/// Boots the IPVS lab for one scenario with the freshly built `ipvs-push` and hands back its
/// output directory; a scenario that fails throws with the end of its trace and of the
/// logs that say why.
///
/// `resultsVariable` names an environment variable that may point at an existing output
/// directory of `Lab/ipvs-lab --out DIR ... SCENARIO`, checked instead of booting (for working
/// on the tests).
struct LabScenarioRun: Sendable {
    var scenario: String
    var memory: String
    var timeoutSeconds: Int
    var resultsVariable: String
    /// Logs in the output directory worth showing when the scenario fails.
    var logs: [String] = []

    func run() async throws -> LabResults {
        if let existing = ProcessInfo.processInfo.environment[resultsVariable], !existing.isEmpty {
            return LabResults(directory: URL(fileURLWithPath: existing))
        }
        let runner = ProductBinary.packageRoot.appendingPathComponent("Lab/ipvs-lab").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/linux.uml") else {
            throw TestFailure("/usr/bin/linux.uml is missing: the lab needs `apt-get install user-mode-linux` (make deps)")
        }
        let binary = try ProductBinary.path()
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-lab-\(scenario)-\(UUID().uuidString.prefix(8))")
        let log = output.appendingPathExtension("log")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: runner)
        process.arguments = [
            "--timeout", String(timeoutSeconds), "--mem", memory, "--out", output.path, "--env", "IPVS_PUSH=\(binary)",
            scenario,
        ]
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
        guard status == 0 else {
            let seconds = Int(Date().timeIntervalSince(started))
            var report =
                "the lab's \(scenario) scenario failed with exit status \(status) after \(seconds)s (output in "
                + "\(output.path)):\n\((try? String(contentsOf: log, encoding: .utf8))?.suffix(1500) ?? "")"
            for file in ["scenario.stderr"] + logs {
                report += "\n--- \(file) ---\n\((try? results.text(file))?.suffix(3000) ?? "(none)")"
            }
            throw TestFailure(report)
        }
        return results
    }
}
