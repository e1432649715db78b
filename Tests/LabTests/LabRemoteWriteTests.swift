import Exposition
import Foundation
import TestSupport
import Testing

/// `ipvs-push once --remote-write` to a real VictoriaMetrics inside the lab, after the state
/// was frozen: every series of `dump.prom` is stored with the same value (remote write leaves
/// out labels with empty values), all at the one collection time of `once`, and nothing else.
@Suite("IPVS lab: ipvs-push once --remote-write to VictoriaMetrics")
struct LabRemoteWriteTests {
    /// Differs from run to run, so only its presence is checked.
    static let varying = "ipvs_collect_duration_seconds"
    /// Changes in the minute between the dump and once (inactive connections expire), so only
    /// its series are compared; LabCommandsTests compares it with ipvsadm around once.
    static let expiring = "ipvs_destination_connections_inactive"

    /// The label set a receiver stores for a sample: `__name__` and the non-empty labels.
    static func stored(_ sample: Sample) -> [String: String] {
        var labels = ["__name__": sample.name]
        for label in sample.labels where !label.value.isEmpty { labels[label.name] = label.value }
        return labels
    }

    static func key(_ labels: [String: String]) -> String {
        StoredSeries(labels: labels, points: []).key
    }

    @Test("once exits 0; VictoriaMetrics holds exactly dump.prom's series and values, all at one collection time")
    func exportMatchesDump() async throws {
        let results = try await LabRun.results()
        let status = try results.exitStatus("once-remote-write")
        let stderr = try results.text("once-remote-write.stderr")
        #expect(status == 0, "once exited with \(status): \(stderr)")
        #expect(stderr.isEmpty, "once wrote to stderr: \(stderr)")

        let dump = try LabIntegrationTests.parse(results, "dump.prom", format: .prometheus)
        var expected: [String: Double] = [:]
        var varying: Set<String> = []
        // dump.prom counts the connection table, once does not; inactive connections expire in
        // between, so only their series are compared (see LabPushgatewayTests.varying).
        var expiring: Set<String> = []
        for family in dump.families where !family.name.hasPrefix("ipvs_connection_entries") {
            for sample in family.samples {
                let key = Self.key(Self.stored(sample))
                if family.name == Self.varying {
                    varying.insert(key)
                } else if family.name == Self.expiring {
                    expiring.insert(key)
                } else {
                    #expect(expected.updateValue(sample.value, forKey: key) == nil, "two dump series become \(key)")
                }
            }
        }
        #expect(expected.count > 100, "dump.prom has only \(expected.count) series")
        #expect(varying.count == 2, "collection durations: \(varying)")

        let exported = try StoredSeries.parseVictoriaExport(try results.text("victoria-export.jsonl"))
        var problems: [String] = []
        var times: Set<Int64> = []
        var seen: Set<String> = []
        for series in exported {
            seen.insert(series.key)
            times.formUnion(series.points.map(\.timestamp))
            guard series.points.count == 1, let point = series.points.first else {
                problems.append("not exactly one sample: \(series)")
                continue
            }
            if series.name == Self.varying || series.name == Self.expiring {
                if !varying.union(expiring).contains(series.key) { problems.append("unexpected: \(series)") }
            } else if let value = expected[series.key] {
                if value != point.value {
                    problems.append("different: \(series.key) dump \(value), stored \(point.value)")
                }
            } else {
                problems.append("unexpected: \(series)")
            }
        }
        for key in Set(expected.keys).union(varying).union(expiring).subtracting(seen).sorted() {
            problems.append("missing: \(key) \(expected[key].map { "\($0)" } ?? "")")
        }
        let listed = problems.prefix(60).joined(separator: "\n")
        #expect(
            problems.isEmpty,
            "\(problems.count) differences between victoria-export.jsonl and dump.prom:\n\(listed)")

        let window = try results.environment("once-remote-write.window")
        let start = try #require(window["start"].flatMap { Int64($0) }, "once-remote-write.window: \(window)")
        let end = try #require(window["end"].flatMap { Int64($0) }, "once-remote-write.window: \(window)")
        #expect(times.count == 1, "the samples carry \(times.count) different times: \(times.sorted().prefix(10))")
        #expect(
            times.allSatisfy { (start...end).contains($0) },
            "times \(times.sorted().prefix(10)) outside \(start)...\(end)")
    }
}
