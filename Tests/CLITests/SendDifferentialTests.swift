import Foundation
import TestSupport
import Testing

/// `send` against the Pushgateway itself as the oracle (the rule in the README, "What is
/// accepted"): generated text documents, valid and mutated (`DifferentialCorpus`), are
/// pushed straight to Debian's Pushgateway (HTTP PUT) and through `ipvs-push send`.
/// Where the gateway refuses, `send` must refuse (exit 65); where it accepts but the
/// mutation is one it stores wrongly or loses, `send` must refuse too; otherwise `send`
/// must accept, and the group the gateway then holds must equal the one it stored from the
/// direct push (families, types, help, every series and value, read from `/api/v1/metrics`).
@Suite("send: differential against the Pushgateway", .pushgateway)
struct SendDifferentialTests {
    /// The seed of the corpus: the same documents on every run.
    static let seed: UInt64 = 12
    /// Documents compared: ten of each mutation (about 25 s here).
    static let documents = DifferentialCorpus.mutations.count * 10

    struct Outcome {
        var document: DifferentialCorpus.Document
        var gatewayStatus: Int
        var sendStatus: Int32
        var agrees: Bool
        var detail: String
        /// Series found equal in the two stored groups.
        var seriesCompared = 0
    }

    @Test("send accepts and refuses what the rule derives from the gateway, and stores the same")
    func agreesWithTheGateway() async throws {
        let files = try ScratchFiles()
        let url = try TestPushgateway.url
        let started = Date()
        var outcomes: [Outcome] = []
        for number in 0..<Self.documents {
            let document = DifferentialCorpus.document(number, seed: Self.seed)
            outcomes.append(try await compare(document, files: files, url: url))
        }
        let agreeing = outcomes.filter(\.agrees)
        let bothAccepted = outcomes.filter { $0.gatewayStatus / 100 == 2 && $0.sendStatus == 0 }.count
        let gatewayRefused = outcomes.filter { $0.gatewayStatus / 100 != 2 }.count
        let lossy = outcomes.filter { $0.gatewayStatus / 100 == 2 && $0.document.effect == .lossy }.count
        print(
            "differential (seed \(Self.seed)): \(outcomes.count) documents compared, \(agreeing.count) agree "
                + "(\(bothAccepted) accepted by both with equal groups, \(gatewayRefused) refused by the gateway, "
                + "\(lossy) stored lossily by the gateway and refused by send), \(outcomes.count - agreeing.count) "
                + "disagree; \(outcomes.reduce(0) { $0 + $1.seriesCompared }) stored series compared; "
                + "\(DifferentialCorpus.mutations.count) mutations; "
                + String(format: "%.1f s", Date().timeIntervalSince(started)))
        for outcome in outcomes where !outcome.agrees {
            Issue.record(
                Comment(
                    rawValue: "document \(outcome.document.number) (\(outcome.document.mutation)): gateway "
                        + "\(outcome.gatewayStatus), send exit \(outcome.sendStatus): \(outcome.detail)\n"
                        + String(decoding: outcome.document.bytes, as: UTF8.self)))
        }
        // The gateway behaves as the mutations say (refusing what they expect it to refuse,
        // storing the rest): otherwise the corpus tests something else than it claims.
        for outcome in outcomes where (outcome.gatewayStatus / 100 == 2) != (outcome.document.effect != .refused) {
            Issue.record(
                Comment(
                    rawValue: "document \(outcome.document.number) (\(outcome.document.mutation), "
                        + "\(outcome.document.effect)): the gateway answered \(outcome.gatewayStatus)"))
        }
    }

    private func compare(_ document: DifferentialCorpus.Document, files: ScratchFiles, url: String) async throws
        -> Outcome
    {
        let job = "differential"
        let instance = "d\(document.number)"
        let group = "\(url)/metrics/job/\(job)/instance/\(instance)"
        let direct = try await TestHTTP.request(group, method: "PUT", body: Data(document.bytes))
        let stored = direct.status / 100 == 2 ? try await Self.group(job: job, instance: instance) : nil
        _ = try await TestHTTP.request(group, method: "DELETE")

        let path = try files.write("\(document.number).prom", document.bytes)
        let sent = try await CLIRun.run(["send", path, "--pushgateway", url, "--job", job, "--instance", instance])
        let storedBySend = sent.status == 0 ? try await Self.group(job: job, instance: instance) : nil
        _ = try await TestHTTP.request(group, method: "DELETE")

        let mustAccept = direct.status / 100 == 2 && document.effect != .lossy
        var outcome = Outcome(
            document: document, gatewayStatus: direct.status, sendStatus: sent.status, agrees: false, detail: "")
        if !mustAccept {
            outcome.agrees = sent.status == 65 && sent.stderr.contains("\(path):")
            outcome.detail = "send must refuse it with exit 65 and FILE:LINE; \(sent.stderr)"
        } else if sent.status != 0 {
            outcome.detail = "send must accept it; \(sent.stderr)"
        } else if let stored, let storedBySend, let difference = Self.difference(stored, storedBySend) {
            outcome.detail = "the stored groups differ: \(difference)"
        } else {
            outcome.agrees = stored != nil && storedBySend != nil
            outcome.seriesCompared = stored?.series.count ?? 0
            if !outcome.agrees { outcome.detail = "the group is missing" }
        }
        return outcome
    }

    private static func group(job: String, instance: String) async throws -> PushgatewayGroup? {
        try await TestPushgateway.groups(job: job).first { $0.labels["instance"] == instance }
    }

    /// Where two stored groups differ (NaN equals NaN), or nil.
    static func difference(_ a: PushgatewayGroup, _ b: PushgatewayGroup) -> String? {
        guard a.labels == b.labels else { return "grouping keys \(a.labels) and \(b.labels)" }
        for name in Set(a.families.keys).union(b.families.keys).sorted() {
            guard let first = a.families[name], let second = b.families[name] else {
                return "family \(name) only in the \(a.families[name] == nil ? "send" : "direct") push"
            }
            if first.type != second.type { return "\(name): type \(first.type) and \(second.type)" }
            if (first.help ?? "") != (second.help ?? "") {
                return "\(name): help \(first.help ?? "none") and \(second.help ?? "none")"
            }
            for series in Set(first.series.keys).union(second.series.keys).sorted() {
                let x = first.series[series]
                let y = second.series[series]
                guard let x, let y, x == y || (x.isNaN && y.isNaN) else {
                    return "\(series): \(x.map { "\($0)" } ?? "absent") and \(y.map { "\($0)" } ?? "absent")"
                }
            }
        }
        return nil
    }
}
