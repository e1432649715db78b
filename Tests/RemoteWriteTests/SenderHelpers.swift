import Dispatch
import Exposition
import Foundation
import HTTPTransport
import Logging
import TestSupport

@testable import RemoteWrite

/// A sender over a real HTTP client whose waits between retries go to `clock`: what it
/// waits is checked without spending the time.
func clockedSender(_ configuration: RemoteWriteConfiguration, clock: TestClock) throws -> RemoteWriteSender {
    try RemoteWriteSender(
        configuration: configuration,
        transport: HTTPClient(configuration: configuration.transport, logger: silentLogger),
        clock: clock, logger: silentLogger)
}

/// A configuration with short timeouts and backoffs for tests.
func testConfiguration(
    url: String, protocolVersion: RemoteWriteProtocol = .v1, shards: Int = 1, queueDirectory: String? = nil,
    timeout: Duration = .seconds(5)
) -> RemoteWriteConfiguration {
    RemoteWriteConfiguration(
        url: url, protocolVersion: protocolVersion, minBackoff: .milliseconds(20), maxBackoff: .milliseconds(200),
        // No fsync: SIGKILL loses nothing without it (only a power loss would), and fsync
        // stalls for seconds when other tests (the lab) write a lot to the same disk.
        queueDirectory: queueDirectory, queueSync: .never,
        transport: TransportConfiguration(connectTimeout: .seconds(2), timeout: timeout), shards: shards)
}

extension RemoteWriteSender {
    /// The value of a self-metric sample whose labels include `labels`.
    func metric(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        for family in selfMetrics() where family.name == name {
            for sample in family.samples
            where labels.allSatisfy({ sample.labels[$0.key] == $0.value }) {
                return sample.value
            }
        }
        return nil
    }
}

/// Runs `body` with the sender's `run()` going in a task, cancelling it afterwards.
func whileRunning<T>(_ sender: RemoteWriteSender, _ body: () async throws -> T) async throws -> T {
    let task = Task { await sender.run() }
    defer { task.cancel() }
    let result = try await body()
    task.cancel()
    await task.value
    return result
}

/// One tiny gauge family at a fixed value.
func gauge(_ name: String = "test_gauge", value: Double, labels: Labels = Labels(["k": "v"])) -> [MetricFamily] {
    [
        MetricFamily(
            name: name, type: .gauge, help: "A test gauge.", samples: [Sample(name: name, labels: labels, value: value)]
        )
    ]
}

/// Stops a real server on a dispatch thread, not on the Swift concurrency pool: its
/// `stop()` blocks until the process exits, which can take long under heavy disk load,
/// and the pool has only as many threads as cores.
func stopInBackground(_ server: ExternalServer) {
    DispatchQueue.global().async { server.stop() }
}
