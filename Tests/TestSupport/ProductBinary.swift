import Foundation

/// Finds the `ipvs-push` executable the tests run: the one built with the tests, so a test
/// run always exercises the code it was built from.
public enum ProductBinary {
    /// The package root, from this file's location (Tests/TestSupport/ProductBinary.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The path of `ipvs-push`: `IPVS_PUSH_BINARY` when set, else the binary beside the test
    /// bundle (the scratch path the tests were built in), else `.build/debug/ipvs-push`.
    public static func path() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["IPVS_PUSH_BINARY"], !given.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: given) else {
                throw TestFailure("IPVS_PUSH_BINARY=\(given) is not an executable file")
            }
            return URL(fileURLWithPath: given).standardizedFileURL.path
        }
        let testExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var candidates = [testExecutable.deletingLastPathComponent().appendingPathComponent("ipvs-push").path]
        // An .xctest bundle directory on some layouts: the binary sits beside the bundle.
        candidates.append(
            testExecutable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("ipvs-push")
                .path)
        candidates.append(packageRoot.appendingPathComponent(".build/debug/ipvs-push").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure(
                "no ipvs-push binary: looked at \(candidates.joined(separator: ", ")); build it (`swift build "
                    + "--build-tests`) or set IPVS_PUSH_BINARY")
        }
        return found
    }

    /// The environment for an `ipvs-push` the tests start: theirs without the `IPVS_PUSH_*`
    /// variables (`IPVS_PUSH_BINARY`, ...), which the agent would read as settings and
    /// refuse as unknown.
    public static var childEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("IPVS_PUSH_") }
    }
}
