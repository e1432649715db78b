import Foundation

/// Runs a program found on PATH (through `/usr/bin/env`) for a test and returns its exit
/// status and output (standard output and error together): a `ChildProcess`.
public enum ShellCommand {
    public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, output: String
    ) {
        let result = try ChildProcess.runBlocking(
            "/usr/bin/env", arguments, environment: environment, workingDirectory: URL(fileURLWithPath: "/"),
            output: .merged)
        return (result.status, result.stdout)
    }

    /// Runs `arguments` without holding a thread of the concurrency pool while it runs (for
    /// long runs such as a lab boot, which bound their own time); output to `log`.
    public static func runInBackground(_ arguments: [String], log: URL) async throws -> Int32 {
        try await ChildProcess.run("/usr/bin/env", arguments, output: .appending(to: log), timeout: nil).status
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
