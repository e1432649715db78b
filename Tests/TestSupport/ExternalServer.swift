import Foundation

/// A real server from Debian's packages (Pushgateway, Prometheus, VictoriaMetrics,
/// node_exporter), started on a free loopback port with its own data directory and
/// stopped when the test is done. `stop(removeData: false)` then `restart()` brings it
/// back on the same port with the same data: a receiver outage.
public final class ExternalServer: @unchecked Sendable {
    public let name: String
    public let port: Int
    public let dataDirectory: URL
    /// The running process (a new one after each `restart()`).
    public private(set) var process: ChildProcess?
    public let logFile: URL
    private let executable: String
    private let arguments: [String]
    private let readyPath: String

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `executable` with the arguments `makeArguments(port, dataDirectory)` and
    /// waits until `readyPath` answers 2xx.
    public init(
        name: String, executable: String, readyPath: String,
        makeArguments: (_ port: Int, _ dataDirectory: String) -> [String]
    ) async throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestFailure("\(executable) is not installed; `make test` installs it (apt)")
        }
        self.name = name
        self.port = FreePort.allocate()
        self.dataDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-test-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        self.logFile = dataDirectory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        self.executable = executable
        self.arguments = makeArguments(port, dataDirectory.path)
        self.readyPath = readyPath
        try await launch()
    }

    /// Starts the server again on the same port with the same data directory and arguments
    /// (stopping it first, keeping its data, if it still runs), and waits until it is ready.
    public func restart() async throws {
        stop(removeData: false)
        try await launch()
    }

    private func launch() async throws {
        process = try ChildProcess(
            executable, arguments, workingDirectory: dataDirectory, output: .appending(to: logFile))
        do {
            try await TestHTTP.waitUntilReady(baseURL + readyPath)
        } catch {
            stop()
            let output = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw TestFailure("\(name) did not start: \(error)\n\(output.suffix(2000))")
        }
    }

    /// Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its data.
    public func stop(removeData: Bool = true) {
        process?.terminate(grace: 5)
        if removeData { try? FileManager.default.removeItem(at: dataDirectory) }
    }

    deinit { stop() }

    public static func pushgateway() async throws -> ExternalServer {
        try await ExternalServer(
            name: "pushgateway", executable: "/usr/bin/prometheus-pushgateway", readyPath: "/-/ready"
        ) {
            // Debian's build persists to /var/lib/prometheus by default: give each gateway its own file.
            port, data in ["--web.listen-address=127.0.0.1:\(port)", "--persistence.file=\(data)/pushgateway.data"]
        }
    }

    /// Prometheus 2.42 with the remote-write receiver on and a scrape config given as YAML text.
    public static func prometheus(scrapeConfig: String = "scrape_configs: []\n") async throws -> ExternalServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ipvs-push-prom-\(UUID().uuidString).yml")
        try scrapeConfig.write(to: directory, atomically: true, encoding: .utf8)
        return try await ExternalServer(name: "prometheus", executable: "/usr/bin/prometheus", readyPath: "/-/ready") {
            port, data in
            [
                "--config.file=\(directory.path)", "--storage.tsdb.path=\(data)/tsdb",
                "--web.listen-address=127.0.0.1:\(port)", "--web.enable-remote-write-receiver",
                "--web.enable-lifecycle",
            ]
        }
    }

    public static func victoriaMetrics() async throws -> ExternalServer {
        try await ExternalServer(
            name: "victoria-metrics", executable: "/usr/bin/victoria-metrics", readyPath: "/health"
        ) {
            port, data in
            ["-httpListenAddr=127.0.0.1:\(port)", "-storageDataPath=\(data)/vm", "-search.latencyOffset=0s"]
        }
    }
}
