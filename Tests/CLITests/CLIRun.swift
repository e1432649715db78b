import Foundation
import TestSupport

/// Runs the built `ipvs-push` as a user would: arguments, standard input, and its exit
/// status, standard output and standard error (a `ChildProcess`).
enum CLIRun {
    typealias Result = ChildProcess.Result

    /// Starts `ipvs-push arguments`; `stdin` is its standard input (empty when nil).
    static func start(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws
        -> ChildProcess
    {
        // Without the tests' own IPVS_PUSH_* variables and proxies; a test passes its own.
        var merged = ProductBinary.childEnvironment
        for name in ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
            merged[name] = nil
        }
        merged.merge(environment) { $1 }
        return try ChildProcess(try ProductBinary.path(), arguments, stdin: stdin, environment: merged)
    }

    /// Runs `ipvs-push arguments` to its end; kills it and fails after `timeout` seconds.
    static func run(
        _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], timeout: Double = 60
    ) async throws -> Result {
        try await start(arguments, stdin: stdin, environment: environment).finish(timeout: timeout)
    }
}
