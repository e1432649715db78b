import Exposition
import Foundation
import TestSupport
import Testing

@testable import Relabel

/// Relabeling compared with the real thing: Prometheus 2.42 from Debian. Its
/// `metric_relabel_configs` run the same relabel code as `write_relabel_configs`, and
/// PromQL's `label_replace()` the same anchored regex and template expansion.
@Suite("Agreement with Prometheus 2.42", .serialized)
struct PrometheusAgreementTests {
    /// The scraped samples: name and labels (no values needed).
    static let samples: [(name: String, labels: [(String, String)])] = [
        (
            "ipvs_connections_total",
            [
                ("service", "10.0.0.1:80"), ("protocol", "TCP"), ("real", "10.1.0.7:8080"), ("namespace", "default"),
                ("scratch_id", "1"), ("unlisted", "z"),
            ]
        ),
        (
            "ipvs_connections_total",
            [
                ("service", "10.0.0.1:80"), ("protocol", "TCP"), ("real", "10.1.0.8:8080"), ("namespace", "default"),
                ("scratch_id", "2"),
            ]
        ),
        (
            "ipvs_connections_total",
            [
                ("service", "[fd00::1]:443"), ("protocol", "SCTP"), ("real", "[fd00::2]:443"), ("namespace", "Blüe"),
                ("scratch_id", "3"),
            ]
        ),
        (
            "ipvs_connections_total",
            [
                ("service", "10.0.0.2:53"), ("protocol", "UDP"), ("real", "10.1.0.9:53"), ("namespace", "default"),
                ("scratch_id", "4"),
            ]
        ),
        ("go_goroutines", []),
        ("process_open_fds", []),
        (
            "ipvs_weight",
            [
                ("service", "10.0.0.1:80"), ("real", "10.1.0.7:8080"), ("meta_zone", "a"), ("meta_rack", "r1"),
                ("copy_a", "x"), ("copy_b", "x"),
            ]
        ),
        (
            "ipvs_weight",
            [
                ("service", "10.0.0.1:80"), ("real", "10.1.0.8:8080"), ("meta_zone", "b"), ("copy_a", "x"),
                ("copy_b", "y"),
            ]
        ),
        ("ipvs_weight", [("service", "10.0.0.3:80"), ("real", "10.1.0.10:80"), ("shadow", "ipvs_weight")]),
        ("other_metric", [("value_nl", "line1\nline2")]),
        ("other_metric", [("value_nl", "single"), ("quote", "say \"hi\" \\ bye")]),
        ("unkept_metric", [("a", "b")]),
    ]

    /// Every required action and every extra one, with RE2 syntax in the regexes.
    static let rulesYAML = #"""
              - source_labels: [__name__]
                regex: 'go_.*|process_.*'
                action: drop
              - source_labels: [protocol]
                regex: UDP
                action: drop
              - source_labels: [__name__, namespace]
                separator: '@'
                regex: 'ipvs_.+@.*|other_metric@'
                action: keep
              - source_labels: [service]
                regex: '(?P<host>[^:]+|\[[^\]]+\]):(?P<port>\d+)'
                target_label: vip
                replacement: '${host}'
              - source_labels: [service]
                regex: '.*:(\d+)'
                target_label: 'port_$1'
                replacement: 'yes'
              - source_labels: [real]
                regex: '10\.1\.0\.(\d+):\d+'
                target_label: real_octet
                replacement: 'o$1'
              - target_label: static
                replacement: s1
              - source_labels: [namespace]
                regex: default
                target_label: namespace
                replacement: ''
              - regex: 'scratch_.*'
                action: labeldrop
              - regex: 'meta_(.+)'
                replacement: 'm_$1'
                action: labelmap
              - regex: 'meta_.*'
                action: labeldrop
              - source_labels: [real]
                modulus: 7
                target_label: shard
                action: hashmod
              - source_labels: [real, service]
                modulus: 1000000007
                target_label: big_shard
                action: hashmod
              - source_labels: [protocol]
                target_label: protocol_lower
                action: lowercase
              - source_labels: [namespace]
                target_label: ns_upper
                action: uppercase
              - source_labels: [copy_a]
                target_label: copy_b
                action: keepequal
              - source_labels: [__name__]
                target_label: shadow
                action: dropequal
              - source_labels: [value_nl]
                target_label: nl_copy
              - source_labels: [quote]
                regex: '(?i)SAY "(\w+)".*'
                target_label: greeting
              - regex: '__name__|job|instance|vip|port_.*|real_octet|static|namespace|m_.*|shard|big_shard|protocol.*|ns_upper|real|service|copy_.*|value_nl|nl_copy|greeting'
                action: labelkeep
        """#

    /// The same rules as `rulesYAML`, for the Relabeler.
    static let rules: [RelabelRule] = [
        RelabelRule(action: .drop, sourceLabels: ["__name__"], regex: "go_.*|process_.*"),
        RelabelRule(action: .drop, sourceLabels: ["protocol"], regex: "UDP"),
        RelabelRule(
            action: .keep, sourceLabels: ["__name__", "namespace"], separator: "@", regex: "ipvs_.+@.*|other_metric@"),
        RelabelRule(
            sourceLabels: ["service"], regex: #"(?P<host>[^:]+|\[[^\]]+\]):(?P<port>\d+)"#, targetLabel: "vip",
            replacement: "${host}"),
        RelabelRule(sourceLabels: ["service"], regex: #".*:(\d+)"#, targetLabel: "port_$1", replacement: "yes"),
        RelabelRule(
            sourceLabels: ["real"], regex: #"10\.1\.0\.(\d+):\d+"#, targetLabel: "real_octet", replacement: "o$1"),
        RelabelRule(targetLabel: "static", replacement: "s1"),
        RelabelRule(sourceLabels: ["namespace"], regex: "default", targetLabel: "namespace", replacement: ""),
        RelabelRule(action: .labelDrop, regex: "scratch_.*"),
        RelabelRule(action: .labelMap, regex: "meta_(.+)", replacement: "m_$1"),
        RelabelRule(action: .labelDrop, regex: "meta_.*"),
        RelabelRule(action: .hashMod, sourceLabels: ["real"], modulus: 7, targetLabel: "shard"),
        RelabelRule(
            action: .hashMod, sourceLabels: ["real", "service"], modulus: 1_000_000_007, targetLabel: "big_shard"),
        RelabelRule(action: .lowercase, sourceLabels: ["protocol"], targetLabel: "protocol_lower"),
        RelabelRule(action: .uppercase, sourceLabels: ["namespace"], targetLabel: "ns_upper"),
        RelabelRule(action: .keepEqual, sourceLabels: ["copy_a"], targetLabel: "copy_b"),
        RelabelRule(action: .dropEqual, sourceLabels: ["__name__"], targetLabel: "shadow"),
        RelabelRule(sourceLabels: ["value_nl"], targetLabel: "nl_copy"),
        RelabelRule(sourceLabels: ["quote"], regex: #"(?i)SAY "(\w+)".*"#, targetLabel: "greeting"),
        RelabelRule(
            action: .labelKeep,
            regex: "__name__|job|instance|vip|port_.*|real_octet|static|namespace|m_.*|shard|big_shard|protocol.*|"
                + "ns_upper|real|service|copy_.*|value_nl|nl_copy|greeting"),
    ]

    /// The samples as a text exposition, label values escaped.
    static var exposition: String {
        func escape(_ value: String) -> String {
            value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        return samples.map { sample in
            let labels = sample.labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
            return "\(sample.name){\(labels)} 1\n"
        }.joined()
    }

    @Test("metric_relabel_configs store exactly the label sets the Relabeler returns")
    func scrapeRelabeling() async throws {
        let endpoint = try ScriptedHTTPServer([
            .text(200, Self.exposition, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"])
        ])
        defer { endpoint.stop() }
        let target = "127.0.0.1:\(endpoint.port)"
        let prometheus = try await ExternalServer.prometheus(
            scrapeConfig: """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: relabel
                    static_configs:
                      - targets: ["\(target)"]
                    metric_relabel_configs:
                \(Self.rulesYAML)

                """)
        defer { prometheus.stop() }

        let relabeler = try Relabeler(Self.rules)
        var expected: Set<[String: String]> = []
        for sample in Self.samples {
            let input = Labels(
                sample.labels.map { Label($0.0, $0.1) } + [
                    Label("__name__", sample.name), Label("job", "relabel"), Label("instance", target),
                ])
            if let output = relabeler.process(input) {
                expected.insert(Dictionary(uniqueKeysWithValues: output.map { ($0.name, $0.value) }))
            }
        }
        // Dropped: UDP, go_/process_, unkept_metric, keepequal (copy_b y), dropequal (shadow).
        #expect(expected.count == Self.samples.count - 6)

        let synthetic: Set<String> = [
            "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
            "scrape_series_added",
        ]
        var stored: Set<[String: String]> = []
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            stored = Set(
                try await PrometheusAPI.allSeries(prometheus).filter { !synthetic.contains($0["__name__"] ?? "") })
            if stored.count >= expected.count { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        for series in expected.subtracting(stored) { Issue.record("expected but not stored: \(series)") }
        for series in stored.subtracting(expected) { Issue.record("stored but not expected: \(series)") }
        #expect(stored == expected)
    }

    @Test("Regexes: label_replace() finds the same matches, groups and compile errors")
    func regexAgreement() async throws {
        let prometheus = try await ExternalServer.prometheus()
        defer { prometheus.stop() }
        let template = "$0|$1|$2|$3|${n}"
        let texts = RegexCases.texts
        let inputs = texts.enumerated().map { index, text in
            let source = PrometheusAPI.stringLiteral(text.replacingOccurrences(of: "$", with: "$$"))
            return "label_replace(label_replace(vector(1), \"src\", \(source), \"none\", \"\"), \"i\", \"\(index)\", "
                + "\"none\", \"\")"
        }.joined(separator: " or ")

        for pattern in RegexCases.valid {
            let regex = PrometheusAPI.stringLiteral(pattern)
            let query =
                "label_replace(label_replace(\(inputs), \"matched\", \"y\", \"src\", \(regex)), \"expanded\", "
                + "\(PrometheusAPI.stringLiteral(template)), \"src\", \(regex))"
            guard case .series(let results) = try await PrometheusAPI.query(prometheus, query) else {
                Issue.record("Prometheus refuses \(pattern)")
                continue
            }
            #expect(results.count == texts.count, "\(pattern)")
            let ours = try RelabelRegex(pattern)
            for result in results {
                guard let index = result["i"].flatMap(Int.init), index < texts.count else { continue }
                let text = texts[index]
                let match = ours.match(text)
                #expect((match != nil) == (result["matched"] == "y"), "\(pattern) on \(text.debugDescription)")
                if let match, !RegexCases.groupDifferences.contains(pattern) {
                    let expansion = ReplacementTemplate(template).expand(match)
                    #expect(expansion == result["expanded"] ?? "", "\(pattern) on \(text.debugDescription)")
                }
            }
        }

        for pattern in RegexCases.invalid {
            let query = "label_replace(vector(1), \"d\", \"x\", \"s\", \(PrometheusAPI.stringLiteral(pattern)))"
            let answer = try await PrometheusAPI.query(prometheus, query)
            if case .error(let message) = answer {
                #expect(message.contains("invalid regular expression"), "\(pattern): \(message)")
            } else {
                Issue.record("Prometheus accepts \(pattern)")
            }
        }
    }
}
