import Foundation
import TestSupport

/// Runs the real curl client against the server under test, so that requests carry
/// exactly the headers a test gives (URLSession adds its own Accept-Encoding and
/// decompresses behind the test's back).
enum Curl {
    struct Response: Sendable {
        var exitCode: Int32
        var status: Int
        /// Header names lowercased; the last value wins.
        var headers: [String: String]
        var body: Data
        /// What `-w` printed, when the test asked for it.
        var writeOut: String
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Runs `curl -sS <arguments> <url>` and collects status, headers and the raw body.
    static func run(_ url: String, _ arguments: [String] = [], timeout: TimeInterval = 20) async throws -> Response {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let headerFile = directory.appendingPathComponent("headers")
        let bodyFile = directory.appendingPathComponent("body")
        let result = try await ProcessRunner.run(
            "/usr/bin/curl",
            ["-sS", "--max-time", String(timeout), "-D", headerFile.path, "-o", bodyFile.path] + arguments + [url])
        var status = 0
        var headers: [String: String] = [:]
        let headerText = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        for line in headerText.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("HTTP/") {
                status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
                headers = [:]
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let body = (try? Data(contentsOf: bodyFile)) ?? Data()
        return Response(
            exitCode: result.exitCode, status: status, headers: headers, body: body,
            writeOut: String(decoding: result.standardOutput, as: UTF8.self))
    }
}

/// Runs a program to its end without blocking a thread: its standard streams are
/// files, read once it has exited. (Blocking reads of pipes on Dispatch's global queues
/// would starve the threads Swift concurrency runs on, on a 2-core machine.)
enum ProcessRunner {
    struct Result: Sendable {
        var exitCode: Int32
        var standardOutput: Data
        var standardError: Data
    }

    static func run(_ executable: String, _ arguments: [String], input: Data? = nil) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputFile = directory.appendingPathComponent("stdin")
        let outputFile = directory.appendingPathComponent("stdout")
        let errorFile = directory.appendingPathComponent("stderr")
        try (input ?? Data()).write(to: inputFile)
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let standardInput = try FileHandle(forReadingFrom: inputFile)
        let standardOutput = try FileHandle(forWritingTo: outputFile)
        let standardError = try FileHandle(forWritingTo: errorFile)
        defer {
            try? standardInput.close()
            try? standardOutput.close()
            try? standardError.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = standardInput
        process.standardOutput = standardOutput
        process.standardError = standardError
        let exitCode: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: TestFailure("cannot run \(executable): \(error)"))
            }
        }
        return Result(
            exitCode: exitCode, standardOutput: try Data(contentsOf: outputFile),
            standardError: try Data(contentsOf: errorFile))
    }
}
