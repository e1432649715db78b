import Foundation
import TestSupport

/// VictoriaMetrics on a port and data directory chosen by the test, so it can be
/// stopped and started again at the same address with its data kept: a receiver
/// outage. (`ExternalServer` picks a new port each time.)
final class VictoriaMetricsProcess: @unchecked Sendable {
    let port: Int
    let dataDirectory: String
    private var process: ChildProcess?

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var writeURL: String { baseURL + "/api/v1/write" }

    init() throws {
        port = FreePort.allocate()
        dataDirectory = try temporaryDirectory("victoria")
    }

    func start() async throws {
        process = try ChildProcess(
            "/usr/bin/victoria-metrics",
            ["-httpListenAddr=127.0.0.1:\(port)", "-storageDataPath=\(dataDirectory)/vm", "-search.latencyOffset=0s"])
        try await TestHTTP.waitUntilReady(baseURL + "/health", deadline: 120)
    }

    /// SIGTERM (VictoriaMetrics flushes what it holds), then waits for the exit.
    func stop() async {
        guard let process, process.isRunning else { return }
        process.signal(SIGTERM)
        _ = try? await process.finish(timeout: nil)
        self.process = nil
    }

    deinit {
        // The process, if it still runs, is killed as its ChildProcess goes.
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
