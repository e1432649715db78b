import Foundation
import TestSupport

/// Boots the IPVS lab once per test process with the `capabilities` scenario
/// (Lab/scenarios/capabilities.sh) and the freshly built `ipvs-push`; the capability tests
/// await the same run. `IPVS_LAB_CAPABILITY_RESULTS` names an existing output directory to
/// check instead of booting.
enum LabCapabilityRun {
    static let shared = Task<LabResults, any Error> { try await run() }

    static func results() async throws -> LabResults { try await shared.value }

    private static func run() async throws -> LabResults {
        if let existing = ProcessInfo.processInfo.environment["IPVS_LAB_CAPABILITY_RESULTS"], !existing.isEmpty {
            return LabResults(directory: URL(fileURLWithPath: existing))
        }
        let runner = ProductBinary.packageRoot.appendingPathComponent("Lab/ipvs-lab").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/linux.uml") else {
            throw TestFailure(
                "/usr/bin/linux.uml is missing: the lab needs `apt-get install user-mode-linux` (make deps)")
        }
        let binary = try ProductBinary.path()
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-lab-capabilities-\(UUID().uuidString.prefix(8))")
        let log = output.appendingPathExtension("log")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: runner)
        process.arguments = ["--timeout", "600", "--out", output.path, "--env", "IPVS_PUSH=\(binary)", "capabilities"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
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
            let runnerLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let trace = (try? results.text("scenario.stderr")) ?? "(no scenario.stderr)"
            throw TestFailure(
                "the lab's capabilities scenario failed with exit status \(status) (output in \(output.path)):\n"
                    + "\(runnerLog.suffix(1500))\n--- scenario.stderr ---\n\(trace.suffix(3000))")
        }
        return results
    }
}
