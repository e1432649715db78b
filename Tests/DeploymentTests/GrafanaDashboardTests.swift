import Exposition
import Foundation
import TestSupport
import Testing

/// deploy/grafana/ipvs-push.json: every query is valid PromQL (promtool parses each as a
/// recording rule), names only metrics ipvs-push really serves (a `run` in the lab, see
/// DeploymentLabRun), and goes through the dashboard's data source variable.
@Suite("Grafana dashboard")
struct GrafanaDashboardTests {
    static func dashboard() throws -> GrafanaDashboard {
        let path = DeploymentCommand.packageRoot.appendingPathComponent("deploy/grafana/ipvs-push.json")
        return try JSONDecoder().decode(GrafanaDashboard.self, from: Data(contentsOf: path))
    }

    /// Every PromQL expression: the panels' targets and the variables' label_values selectors.
    static func expressions() throws -> [String] {
        let dashboard = try dashboard()
        var expressions = dashboard.allPanels.flatMap { $0.targets ?? [] }.map(\.expr)
        for variable in dashboard.templating.list where variable.type == "query" {
            let query = variable.query?.text ?? ""
            if query.hasPrefix("label_values("), let comma = query.lastIndex(of: ",") {
                expressions.append(String(query[query.index(query.startIndex, offsetBy: 13)..<comma]))
            }
        }
        return expressions
    }

    @Test func everyQueryIsValidPromQL() throws {
        let expressions = try Self.expressions()
        #expect(expressions.count >= 25)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ipvs-push-dashboard-\(UUID().uuidString.prefix(8)).yml")
        defer { try? FileManager.default.removeItem(at: file) }
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes  // a JSON string is a YAML string, but YAML has no \/
        for (index, expression) in expressions.enumerated() {
            let quoted = String(data: try encoder.encode(GrafanaDashboard.concrete(expression)), encoding: .utf8)!
            rules += "      - record: dashboard:query_\(index)\n        expr: \(quoted)\n"
        }
        try rules.write(to: file, atomically: true, encoding: .utf8)
        let (status, output) = try ShellCommand.run(["promtool", "check", "rules", file.path])
        #expect(status == 0 && output.contains("SUCCESS: \(expressions.count) rules found"), "\(output)\n\(rules)")
    }

    @Test func everyMetricIsOneIpvsPushServes() async throws {
        var served: Set<String> = []
        for file in ["run.first.prom", "run.second.prom"] {
            let text = try await DeploymentLabRun.strace.text(file)
            let parsed = try ExpositionParser.parse(Array(text.utf8), source: file, format: nil)
            served.formUnion(parsed.families.flatMap(\.samples).map(\.name))
        }
        #expect(served.count > 40)
        let used = try Self.expressions().reduce(into: Set<String>()) { $0.formUnion(GrafanaDashboard.metricNames($1)) }
        #expect(used.count > 20)
        #expect(used.subtracting(served).isEmpty, "not served by ipvs-push: \(used.subtracting(served).sorted())")
    }

    @Test func panelsUseTheDataSourceVariable() throws {
        let dashboard = try Self.dashboard()
        let variables = Dictionary(uniqueKeysWithValues: dashboard.templating.list.map { ($0.name, $0) })
        #expect(variables["datasource"]?.type == "datasource" && variables["datasource"]?.query?.text == "prometheus")
        for name in ["instance", "namespace", "service"] {
            let variable = try #require(variables[name], "no \(name) variable")
            #expect(variable.type == "query" && variable.includeAll == true && variable.allValue == ".*", "\(name)")
            #expect(variable.datasource?.uid == "${datasource}", "\(name)")
        }
        let panels = dashboard.allPanels.filter { $0.type != "row" }
        #expect(Set(dashboard.allPanels.map(\.id)).count == dashboard.allPanels.count, "panel ids repeat")
        for panel in panels {
            #expect(panel.datasource?.uid == "${datasource}", "\(panel.title)")
            let targets = panel.targets ?? []
            #expect(!targets.isEmpty, "\(panel.title) has no query")
            #expect(Set(targets.map(\.refId)).count == targets.count, "\(panel.title): refIds repeat")
            for target in targets { #expect(target.datasource?.uid == "${datasource}", "\(panel.title)") }
        }
        // What the issue asks the dashboard to show.
        let all = try Self.expressions().joined(separator: "\n")
        for metric in [
            "ipvs_service_connections_total", "ipvs_service_incoming_packets_total",
            "ipvs_service_incoming_bytes_total",
            "ipvs_destination_connections_total", "ipvs_destination_incoming_bytes_total",
            "ipvs_destination_connections_active",
            "ipvs_destination_connections_inactive", "ipvs_destination_weight", "ipvs_up",
            "ipvs_collect_duration_seconds",
            "ipvs_push_scrape_requests_total", "ipvs_push_remote_write_queue_bytes",
            "ipvs_push_remote_write_samples_failed_total",
            "ipvs_push_remote_write_samples_dropped_total",
            "ipvs_sync_daemon_info", "ipvs_timeout_seconds", "ipvs_sysctl", "ipvs_connection_entries",
            "ipvs_connection_entries_orphaned",
        ] {
            #expect(all.contains(metric), "no panel shows \(metric)")
        }
    }
}
