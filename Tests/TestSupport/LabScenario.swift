import Foundation

/// Boots the IPVS lab (Lab/ipvs-lab) for one scenario with the freshly built `ipvs-push` and
/// hands back its output directory. A scenario that fails throws with the end of the runner's
/// output, of its trace and of the logs that say why.
///
/// `resultsVariable` names an environment variable that may point at an existing output
/// directory of `Lab/ipvs-lab --out DIR ... SCENARIO`, checked instead of booting (for working
/// on the tests).
public struct LabScenario: Sendable {
    public var scenario: String
    public var memory: String
    public var timeoutSeconds: Int
    public var resultsVariable: String
    /// More `--env NAME=VALUE` for the guest, besides `IPVS_PUSH`.
    public var environment: [String: String]
    /// Files in the output directory worth showing when the scenario fails.
    public var logs: [String]
    /// Host programs the scenario needs besides the lab's own, with the package to install.
    public var requires: [String: String]

    public init(
        _ scenario: String, memory: String = "512M", timeoutSeconds: Int = 600, resultsVariable: String,
        environment: [String: String] = [:], logs: [String] = [], requires: [String: String] = [:]
    ) {
        self.scenario = scenario
        self.memory = memory
        self.timeoutSeconds = timeoutSeconds
        self.resultsVariable = resultsVariable
        self.environment = environment
        self.logs = logs
        self.requires = requires
    }

    public func run() async throws -> URL {
        if let existing = ProcessInfo.processInfo.environment[resultsVariable], !existing.isEmpty {
            return URL(fileURLWithPath: existing)
        }
        for (program, package) in ["/usr/bin/linux.uml": "user-mode-linux"].merging(
            requires, uniquingKeysWith: { a, _ in a })
        where !FileManager.default.isExecutableFile(atPath: program) {
            throw TestFailure(
                "\(program) is missing: the \(scenario) scenario needs `apt-get install \(package)` (make deps)")
        }
        let runner = ProductBinary.packageRoot.appendingPathComponent("Lab/ipvs-lab").path
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-lab-\(scenario)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let log = output.appendingPathExtension("log")
        let environment = ["IPVS_PUSH": try ProductBinary.path()].merging(self.environment) { _, given in given }
        let started = Date()
        let status = try await ShellCommand.runInBackground(
            [runner, "--timeout", String(timeoutSeconds), "--mem", memory, "--out", output.path]
                + environment.sorted { $0.key < $1.key }.flatMap { ["--env", "\($0.key)=\($0.value)"] } + [scenario],
            log: log)
        guard status == 0 else {
            func tail(_ url: URL, _ count: Int) -> Substring {
                ((try? String(contentsOf: url, encoding: .utf8)) ?? "(none)").suffix(count)
            }
            var report =
                "the lab's \(scenario) scenario failed with exit status \(status) after "
                + "\(Int(Date().timeIntervalSince(started)))s (output in \(output.path)):\n\(tail(log, 1500))"
            for file in ["scenario.stderr"] + logs {
                report += "\n--- \(file) ---\n\(tail(output.appendingPathComponent(file), 3000))"
            }
            throw TestFailure(report)
        }
        return output
    }
}
