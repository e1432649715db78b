import Foundation
import HTTPTransport
import Logging
import TestSupport

/// A client with short timeouts for tests, logging into `capture`.
func makeClient(
    _ configuration: TransportConfiguration = TransportConfiguration(connectTimeout: .seconds(2), timeout: .seconds(5)),
    capture: LogCapture = LogCapture()
) throws -> HTTPClient {
    try HTTPClient(configuration: configuration, logger: capture.logger())
}

/// A retry policy without jitter, so waits are exact.
func fastRetries(attempts: Int = 3, min: Duration = .milliseconds(20), retryOn429: Bool = false) -> RetryPolicy {
    RetryPolicy(minBackoff: min, maxBackoff: .seconds(2), maxAttempts: attempts, retryOn429: retryOn429, jitter: 0)
}

/// A file in a fresh temporary directory holding `content`.
func temporaryFile(_ content: String, name: String = "file") throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ipvs-push-http-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent(name).path
    try content.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// A port on 127.0.0.1 that refuses connections (nothing listens on it).
func refusedPort() -> Int {
    FreePort.allocate()
}
