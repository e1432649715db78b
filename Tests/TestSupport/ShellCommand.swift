import Foundation

/// Runs a program (through `/usr/bin/env`) for a test and returns its exit status and output
/// (standard output and error together).
///
/// The output goes to a temporary file, not a pipe: Foundation's FileHandle gives up on a
/// read interrupted by a signal, and other tests' child processes send SIGCHLD.
public enum ShellCommand {
    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, output: String
    ) {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-command-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: file) }
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        let output = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output)
    }

    /// Runs `arguments` without holding a thread of the concurrency pool while it runs (for
    /// long runs such as a lab boot); output to `log`.
    public static func runInBackground(_ arguments: [String], log: URL) async throws -> Int32 {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: TestFailure("cannot start \(arguments[0]): \(error)"))
            }
        }
    }

    /// Runs `arguments` and throws unless it exits with 0; returns the output.
    @discardableResult
    public static func check(_ arguments: [String]) throws -> String {
        let (status, output) = try run(arguments)
        guard status == 0 else {
            throw TestFailure("\(arguments.joined(separator: " ")) exited with \(status): \(output)")
        }
        return output
    }
}
