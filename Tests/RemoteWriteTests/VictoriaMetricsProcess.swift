import Foundation
import TestSupport

/// VictoriaMetrics on a port and data directory chosen by the test, so it can be
/// stopped and started again at the same address with its data kept: a receiver
/// outage. (`ExternalServer` picks a new port each time.)
final class VictoriaMetricsProcess: @unchecked Sendable {
    let port: Int
    let dataDirectory: String
    private var process: Process?

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var writeURL: String { baseURL + "/api/v1/write" }

    init() throws {
        port = FreePort.allocate()
        dataDirectory = try temporaryDirectory("victoria")
    }

    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/victoria-metrics")
        process.arguments = [
            "-httpListenAddr=127.0.0.1:\(port)", "-storageDataPath=\(dataDirectory)/vm", "-search.latencyOffset=0s",
        ]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        try await TestHTTP.waitUntilReady(baseURL + "/health", deadline: 120)
    }

    /// SIGTERM (VictoriaMetrics flushes what it holds), then waits for the exit on a
    /// dispatch thread.
    func stop() async {
        guard let process, process.isRunning else { return }
        process.terminate()
        await offPool { process.waitUntilExit() }
        self.process = nil
    }

    deinit {
        if let process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
