import Foundation
import TestSupport

/// Boots the IPVS lab once per test process and runs the integration scenario with the
/// freshly built `ipvs-push`; every lab test awaits the same run.
///
/// Environment:
/// - `IPVS_PUSH_BINARY`: the binary to test (default: `ipvs-push` beside the test bundle,
///   then `.build/debug/ipvs-push` in the package).
/// - `IPVS_LAB_RESULTS`: an existing output directory of `Lab/ipvs-lab ... integration` to
///   check instead of booting (for working on the tests).
enum LabRun {
    static let shared = Task<LabResults, any Error> { try await run() }

    static func results() async throws -> LabResults { try await shared.value }

    static let packageRoot = ProductBinary.packageRoot

    private static func run() async throws -> LabResults {
        if let existing = ProcessInfo.processInfo.environment["IPVS_LAB_RESULTS"], !existing.isEmpty {
            return LabResults(directory: URL(fileURLWithPath: existing))
        }
        let runner = packageRoot.appendingPathComponent("Lab/ipvs-lab").path
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/linux.uml") else {
            throw TestFailure(
                "/usr/bin/linux.uml is missing: the lab needs `apt-get install user-mode-linux` (make deps)")
        }
        let binary = try ProductBinary.path()
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-lab-\(UUID().uuidString.prefix(8))")
        let log = output.appendingPathExtension("log")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: runner)
        process.arguments = ["--timeout", "600", "--out", output.path, "--env", "IPVS_PUSH=\(binary)", "integration"]
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
            throw TestFailure(
                "the lab's integration scenario failed with exit status \(status) after \(seconds)s (output in "
                    + "\(output.path)):\n\(runnerLog.suffix(1500))\n--- scenario.stderr ---\n\(trace.suffix(3000))")
        }
        return results
    }
}
