import Exposition
import Foundation
import HTTPTransport
import Logging
import TestSupport

@testable import RemoteWrite

/// A configuration with short timeouts and backoffs for tests.
func testConfiguration(
    url: String, protocolVersion: RemoteWriteProtocol = .v1, shards: Int = 1, queueDirectory: String? = nil,
    timeout: Duration = .seconds(5)
) -> RemoteWriteConfiguration {
    RemoteWriteConfiguration(
        url: url, protocolVersion: protocolVersion, minBackoff: .milliseconds(20), maxBackoff: .milliseconds(200),
        queueDirectory: queueDirectory, queueSync: .always,
        transport: TransportConfiguration(connectTimeout: .seconds(2), timeout: timeout), shards: shards)
}

/// Polls `condition` every 20 ms until it holds or `seconds` pass.
func waitUntil(_ what: String, seconds: Double = 15, _ condition: () async throws -> Bool) async throws {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TestFailure("timed out after \(seconds)s waiting for: \(what)")
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
