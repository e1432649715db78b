import Foundation
import TestSupport

/// Runs a program for the capability tests and returns its exit status and output.
///
/// The output goes to a temporary file, not a pipe: Foundation's FileHandle gives up on a
/// read interrupted by a signal, and other tests' child processes send SIGCHLD.
enum ProcessCapabilitiesCommand {
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, output: String
    ) {
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-capabilities-\(UUID().uuidString.prefix(8)).log")
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

    /// Runs `arguments` and throws unless it exits with 0.
    @discardableResult
    static func check(_ arguments: [String]) throws -> String {
        let (status, output) = try run(arguments)
        guard status == 0 else {
            throw TestFailure("\(arguments.joined(separator: " ")) exited with \(status): \(output)")
        }
        return output
    }
}
