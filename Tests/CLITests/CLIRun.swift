import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the built `ipvs-push` as a user would: arguments, standard input, and its exit
/// status, standard output and standard error. The streams go to files that are read once
/// the process has ended, so a test never blocks a thread on a pipe.
final class CLIRun: @unchecked Sendable {
    /// What one finished run produced.
    struct Result: Sendable, CustomStringConvertible {
        var arguments: [String]
        var status: Int32
        /// True when the process ended by a signal (`status` is then the signal number).
        var signalled: Bool
        var stdout: String
        var stderr: String
        var seconds: Double

        /// Both streams, for secret checks.
        var output: String { stdout + stderr }

        var description: String {
            "ipvs-push \(arguments.joined(separator: " ")) -> \(signalled ? "signal" : "exit") \(status) after "
                + "\(String(format: "%.1f", seconds))s\n--- stdout ---\n\(stdout.suffix(2000))\n--- stderr ---\n"
                + "\(stderr.suffix(2000))"
        }
    }

    let arguments: [String]
    let process = Process()
    private let directory: URL
    private let started = Date()
    private let exited: Task<Void, Never>

    /// Starts `ipvs-push arguments`; `stdin` is its standard input (empty when nil).
    init(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws {
        self.arguments = arguments
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ipvs-push-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let input = directory.appendingPathComponent("stdin")
        try (stdin ?? Data()).write(to: input)
        for name in ["stdout", "stderr"] {
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil)
        }
        process.executableURL = URL(fileURLWithPath: try ProductBinary.path())
        process.arguments = arguments
        // Without the tests' own IPVS_PUSH_* variables; a test passes its own.
        var merged = ProductBinary.childEnvironment
        for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            merged[name] = nil
        }
        merged.merge(environment) { $1 }
        process.environment = merged
        process.standardInput = try FileHandle(forReadingFrom: input)
        process.standardOutput = try FileHandle(forWritingTo: directory.appendingPathComponent("stdout"))
        process.standardError = try FileHandle(forWritingTo: directory.appendingPathComponent("stderr"))
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in continuation.finish() }
        exited = Task { for await _ in stream {} }
        do {
            try process.run()
        } catch {
            continuation.finish()
            throw error
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `ipvs-push arguments` to its end; kills it and fails after `timeout` seconds.
    static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], timeout: Double = 60
    ) async throws -> Result {
        let run = try CLIRun(arguments, stdin: stdin, environment: environment)
        return try await run.finish(timeout: timeout)
    }

    /// Sends `signal` to the running process.
    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    var isRunning: Bool { process.isRunning }

    /// What the process wrote to standard error so far.
    func stderrSoFar() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("stderr"), encoding: .utf8)) ?? ""
    }

    /// Waits until the process ends (killing it and throwing after `timeout` seconds).
    func finish(timeout: Double = 60) async throws -> Result {
        let waiter = exited
        let pid = process.processIdentifier
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await waiter.value
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(timeout))
                if Task.isCancelled { return true }
                kill(pid, SIGKILL)  // the waiter above then ends too
                return false
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
        let result = Result(
            arguments: arguments, status: process.terminationStatus,
            signalled: process.terminationReason == .uncaughtSignal,
            stdout: (try? String(contentsOf: directory.appendingPathComponent("stdout"), encoding: .utf8)) ?? "",
            stderr: stderrSoFar(), seconds: Date().timeIntervalSince(started))
        guard finished else { throw TestFailure("did not end within \(timeout)s and was killed: \(result)") }
        return result
    }
}
