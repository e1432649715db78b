import Exposition
import Foundation
import TestSupport

/// The real Pushgateway (Debian's prometheus-pushgateway 1.5) a suite pushes to, and
/// reading back what it stored.
///
/// Each test pushes under its own `job`, so tests running in parallel never see each
/// other's groups; a test asks only for the groups of its job.
enum TestPushgateway {
    @TaskLocal static var current: ExternalServer?

    /// Starts a gateway that keeps its state in memory only. (Debian's build persists to
    /// /var/lib/prometheus/pushgateway.data by default, which would carry groups from one
    /// test run, or one suite, into the next.)
    static func start() async throws -> ExternalServer {
        try await ExternalServer(
            name: "pushgateway-cli", executable: "/usr/bin/prometheus-pushgateway", readyPath: "/-/ready"
        ) { port, data in
            ["--web.listen-address=127.0.0.1:\(port)", "--persistence.file=\(data)/pushgateway.data"]
        }
    }

    /// The suite's gateway (see ``PushgatewayTrait``).
    static func server() throws -> ExternalServer {
        guard let current else { throw TestFailure("the suite has no Pushgateway: add the .pushgateway trait") }
        return current
    }

    static var url: String {
        get throws { try server().baseURL }
    }

    /// Every group the gateway holds.
    static func groups() async throws -> [PushgatewayGroup] {
        let response = try await TestHTTP.request(try url + "/api/v1/metrics")
        guard response.status == 200 else {
            throw TestFailure("GET /api/v1/metrics answered \(response.status): \(response.text)")
        }
        return try PushgatewayGroup.parse(response.body)
    }

    /// The groups whose `job` is `job`, sorted by their labels.
    static func groups(job: String) async throws -> [PushgatewayGroup] {
        try await groups().filter { $0.labels["job"] == job }
            .sorted {
                $0.labels.sorted { $0.key < $1.key }.description < $1.labels.sorted { $0.key < $1.key }.description
            }
    }

    /// The gateway's own `/metrics` page, parsed (what Prometheus would scrape).
    static func scrape() async throws -> ParsedExposition {
        let response = try await TestHTTP.request(try url + "/metrics")
        guard response.status == 200 else { throw TestFailure("GET /metrics answered \(response.status)") }
        return try ExpositionParser.parse(Array(response.body), source: "pushgateway /metrics", format: .prometheus)
    }

    /// Polls until `condition` holds for the groups of `job`, or throws after `seconds`.
    static func waitForGroups(
        job: String, seconds: Double = 20, _ condition: ([PushgatewayGroup]) -> Bool
    ) async throws -> [PushgatewayGroup] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let groups = try await groups(job: job)
            if condition(groups) { return groups }
            guard Date() < deadline else {
                throw TestFailure(
                    "the gateway's groups of job \(job) did not reach the expected state in "
                        + "\(seconds)s; they are: \(groups.map(\.labels))")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
