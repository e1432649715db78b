import Exposition
import Foundation
import Logging

@testable import RemoteWrite

/// A small IPVS-like collection: `services` services with `serversPerService` real
/// servers each, a counter and a gauge per server and an info-like gauge per service.
func ipvsFamilies(services: Int, serversPerService: Int, value: (Int, Int) -> Double = { Double($0 * 100 + $1) })
    -> [MetricFamily]
{
    var connections = MetricFamily(
        name: "ipvs_real_server_connections_total", type: .counter, help: "Connections forwarded to the real server.")
    var weight = MetricFamily(name: "ipvs_real_server_weight", type: .gauge, help: "Weight of the real server.")
    var bytes = MetricFamily(
        name: "ipvs_service_incoming_bytes_total", type: .counter, help: "Bytes received by the virtual service.",
        unit: "bytes")
    for service in 0..<services {
        let serviceLabels = Labels([
            Label("address", "10.0.\(service / 250).\(service % 250)"), Label("port", "80"), Label("protocol", "tcp"),
        ])
        bytes.add(serviceLabels, Double(service) * 1000.5)
        for server in 0..<serversPerService {
            let labels = serviceLabels.adding(Label("real_server", "192.168.\(server / 250).\(server % 250):8080"))
            connections.add(labels, value(service, server))
            weight.add(labels, Double(server % 7))
        }
    }
    return [connections, weight, bytes]
}

/// A fresh empty directory under the temporary directory; `removeDirectory` it when done.
func temporaryDirectory(_ purpose: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
        "ipvs-push-rw-\(purpose)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
}

func removeDirectory(_ path: String?) {
    if let path { try? FileManager.default.removeItem(atPath: path) }
}

/// Milliseconds since the epoch now, rounded to the second so that cycles are easy to
/// tell apart in test output.
func nowMilliseconds() -> Int64 {
    Int64(Date().timeIntervalSince1970) * 1000
}

let silentLogger: Logger = {
    var logger = Logger(label: "test.remote-write") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    return logger
}()
