import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program a test runs: to its end (`run`, `runBlocking`) or in the background
/// (`init`, then `signal`, `stderrSoFar`, `finish`, `terminate`).
///
/// Its standard streams are files, not pipes, read once it has ended (or on demand while it
/// runs): a blocking pipe read holds a thread of the concurrency pool, which starves it on a
/// 2-core machine, and Foundation's FileHandle gives up on a read that a SIGCHLD from
/// another test's child interrupts. Standard input is the given bytes, or empty.
public final class ChildProcess: @unchecked Sendable {
    /// Where standard output and standard error go.
    public enum Output: Sendable {
        /// Each to its own file.
        case separate
        /// Both to one file, read as standard output.
        case merged
        /// Both appended to this file (a server's log kept across restarts), read as
        /// standard output.
        case appending(to: URL)
    }

    /// What a finished run produced.
    public struct Result: Sendable, CustomStringConvertible {
        public var executable: String
        public var arguments: [String]
        public var status: Int32
        /// True when the process ended by a signal (`status` is then the signal number).
        public var signalled: Bool
        public var standardOutput: Data
        public var standardError: Data
        public var seconds: Double

        public var stdout: String { String(decoding: standardOutput, as: UTF8.self) }
        public var stderr: String { String(decoding: standardError, as: UTF8.self) }
        /// Both streams, standard output first.
        public var output: String { stdout + stderr }

        public var description: String {
            "\(URL(fileURLWithPath: executable).lastPathComponent) \(arguments.joined(separator: " ")) -> "
                + "\(signalled ? "signal" : "exit") \(status) after \(String(format: "%.1f", seconds))s\n"
                + "--- stdout ---\n\(stdout.suffix(2000))\n--- stderr ---\n\(stderr.suffix(2000))"
        }
    }

    public let executable: String
    public let arguments: [String]
    private let process = Process()
    private let directory: URL
    private let outputFile: URL
    private let errorFile: URL?
    private let started = Date()
    private let exited: Task<Void, Never>

    /// Starts `executable arguments` at once. `environment` and `workingDirectory`
    /// replace the test's own when given.
    public init(
        _ executable: String, _ arguments: [String] = [], stdin: Data? = nil, environment: [String: String]? = nil,
        workingDirectory: URL? = nil, output: Output = .separate
    ) throws {
        self.executable = executable
        self.arguments = arguments
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ipvs-push-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let inputFile = directory.appendingPathComponent("stdin")
        try (stdin ?? Data()).write(to: inputFile)
        switch output {
        case .separate:
            outputFile = directory.appendingPathComponent("stdout")
            errorFile = directory.appendingPathComponent("stderr")
        case .merged:
            outputFile = directory.appendingPathComponent("output")
            errorFile = nil
        case .appending(let log):
            outputFile = log
            errorFile = nil
        }
        for file in [outputFile, errorFile].compactMap({ $0 }) where !FileManager.default.fileExists(atPath: file.path)
        {
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        let standardOutput = try FileHandle(forWritingTo: outputFile)
        standardOutput.seekToEndOfFile()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardInput = try FileHandle(forReadingFrom: inputFile)
        process.standardOutput = standardOutput
        process.standardError = try errorFile.map { try FileHandle(forWritingTo: $0) } ?? standardOutput
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in continuation.finish() }
        exited = Task { for await _ in stream {} }
        do {
            try process.run()
        } catch {
            continuation.finish()
            try? FileManager.default.removeItem(at: directory)
            throw TestFailure("cannot run \(executable): \(error)")
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `executable arguments` to its end; kills it and throws after `timeout` seconds.
    public static func run(
        _ executable: String, _ arguments: [String] = [], stdin: Data? = nil, environment: [String: String]? = nil,
        workingDirectory: URL? = nil, output: Output = .separate, timeout: Double? = 60
    ) async throws -> Result {
        let child = try ChildProcess(
            executable, arguments, stdin: stdin, environment: environment, workingDirectory: workingDirectory,
            output: output)
        return try await child.finish(timeout: timeout)
    }

    /// Runs `executable arguments` to its end, blocking the calling thread: for quick
    /// tools called from synchronous code.
    public static func runBlocking(
        _ executable: String, _ arguments: [String] = [], stdin: Data? = nil, environment: [String: String]? = nil,
        workingDirectory: URL? = nil, output: Output = .separate
    ) throws -> Result {
        let child = try ChildProcess(
            executable, arguments, stdin: stdin, environment: environment, workingDirectory: workingDirectory,
            output: output)
        child.process.waitUntilExit()
        return child.result()
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Sends signal `number` to the process.
    public func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// What the process wrote to standard output so far (both streams, unless separate).
    public func stdoutSoFar() -> String {
        (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    }

    /// What the process wrote to standard error so far (empty unless the streams are separate).
    public func stderrSoFar() -> String {
        errorFile.flatMap { try? String(contentsOf: $0, encoding: .utf8) } ?? ""
    }

    /// Waits until the process ends, killing it and throwing after `timeout` seconds (no
    /// limit when nil: for a program that bounds its own run).
    public func finish(timeout: Double? = 60) async throws -> Result {
        let waiter = exited
        let pid = process.processIdentifier
        let finished = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await waiter.value
                return true
            }
            guard let timeout else { return await group.next()! }
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
        let outcome = result()
        guard finished else { throw TestFailure("did not end within \(timeout ?? 0)s and was killed: \(outcome)") }
        return outcome
    }

    /// Stops the process, SIGTERM then SIGKILL after `grace` seconds, blocking until it
    /// has ended. Nothing when it has ended already.
    public func terminate(grace: Double = 5) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private func result() -> Result {
        Result(
            executable: executable, arguments: arguments, status: process.terminationStatus,
            signalled: process.terminationReason == .uncaughtSignal,
            standardOutput: (try? Data(contentsOf: outputFile)) ?? Data(),
            standardError: errorFile.flatMap { try? Data(contentsOf: $0) } ?? Data(),
            seconds: Date().timeIntervalSince(started))
    }
}
