import Foundation
import TestSupport

/// Runs a program to its end and returns its standard output, without blocking a thread
/// of the concurrency pool (its streams are files, read after it exits).
enum WebConfigProcess {
    static func run(_ executable: String, _ arguments: [String], input: String = "") async throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-webconfig-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("in")
        let outputFile = directory.appendingPathComponent("out")
        try Data(input.utf8).write(to: inputFile)
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        let standardInput = try FileHandle(forReadingFrom: inputFile)
        let standardOutput = try FileHandle(forWritingTo: outputFile)
        defer {
            try? standardInput.close()
            try? standardOutput.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = standardInput
        process.standardOutput = standardOutput
        process.standardError = FileHandle.nullDevice
        let _: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return String(decoding: try Data(contentsOf: outputFile), as: UTF8.self)
    }
}
