import Exposition
import Foundation
import HTTPTransport
import Relabel
import TestSupport
import Testing

@testable import RemoteWrite

/// Write relabel rules in the encoder: applied to each series' full label set after the
/// external labels, once per series; dropped series never sent nor marked stale.
@Suite("Write relabel rules in remote-write encoding", .serialized)
struct RelabelEncodingTests {
    static let external = Labels(["cluster": "eu-1", "zone": "z1"])

    /// Drops a family and one series, drops a label and an external label, and reads
    /// an external label (which exists only if external labels come first).
    static let rules = [
        RelabelRule(action: .drop, sourceLabels: ["__name__"], regex: "ipvs_real_server_weight"),
        RelabelRule(
            action: .drop, sourceLabels: ["address", "real_server"], regex: #"10\.0\.0\.1;192\.168\.0\.1:8080"#),
        RelabelRule(action: .labelDrop, regex: "protocol|zone"),
        RelabelRule(sourceLabels: ["cluster"], targetLabel: "site", replacement: "site-$1"),
    ]

    /// What the rules should leave of `ipvsFamilies(services:serversPerService: 2)`, by
    /// hand: connections and bytes series without `protocol` and `zone`, with `site`.
    static func expectedLabels(services: Int) -> Set<[String: String]> {
        var result: Set<[String: String]> = []
        for service in 0..<services {
            let address = "10.0.0.\(service)"
            let common = ["address": address, "port": "80", "cluster": "eu-1", "site": "site-eu-1"]
            result.insert(common.merging(["__name__": "ipvs_service_incoming_bytes_total"]) { $1 })
            for server in 0..<2 where !(service == 1 && server == 1) {
                result.insert(
                    common.merging([
                        "__name__": "ipvs_real_server_connections_total", "real_server": "192.168.0.\(server):8080",
                    ]) { $1 })
            }
        }
        return result
    }

    /// Every series of an encoded collection with its points.
    static func decode(_ collection: EncodedCollection) throws -> [[String: String]: [DecodedRequest.Point]] {
        var result: [[String: String]: [DecodedRequest.Point]] = [:]
        for batch in collection.batches {
            for series in try DecodedRequest.v1(compressed: batch.payload).series {
                let labels = Dictionary(uniqueKeysWithValues: series.labels.map { ($0.name, $0.value) })
                result[labels, default: []] += series.samples
            }
        }
        return result
    }

    static func encoder(_ rules: [RelabelRule], shards: Int = 2, external: Labels = external) throws
        -> CollectionEncoder
    {
        CollectionEncoder(
            externalLabels: external, shardCount: shards, maxSamplesPerSend: 7, relabeler: try Relabeler(rules))
    }

    @Test("Rules see the external labels, drop a family, a series and labels")
    func rulesAfterExternalLabels() throws {
        let encoder = try Self.encoder(Self.rules)
        let result = try encoder.encode(
            ipvsFamilies(services: 3, serversPerService: 2), timestamp: 1000, protocolVersion: .v1)
        let decoded = try Self.decode(result)
        #expect(Set(decoded.keys) == Self.expectedLabels(services: 3))
        #expect(result.samples == 8)
        #expect(result.dropped.isEmpty)
        #expect(decoded.values.allSatisfy { $0.count == 1 && $0[0].timestamp == 1000 })
    }

    @Test("Stale markers carry the relabeled labels; dropped series get none", arguments: RemoteWriteProtocol.allCases)
    func staleness(protocolVersion: RemoteWriteProtocol) throws {
        let encoder = try Self.encoder(Self.rules)
        _ = try encoder.encode(ipvsFamilies(services: 3, serversPerService: 2), timestamp: 1000, protocolVersion: .v1)
        // Nothing vanished: no markers, although six weight series and one connection are dropped each cycle.
        let steady = try encoder.encode(
            ipvsFamilies(services: 3, serversPerService: 2), timestamp: 2000, protocolVersion: .v1)
        #expect(steady.staleMarkers == 0 && steady.samples == 8)
        // Service 2 goes: its two connection series and its bytes series are marked stale,
        // under their relabeled labels; its two dropped weight series are not.
        let shrunk = try encoder.encode(
            ipvsFamilies(services: 2, serversPerService: 2), timestamp: 3000, protocolVersion: protocolVersion)
        #expect(shrunk.staleMarkers == 3)
        #expect(encoder.seriesCount == 5)
        var stale: Set<[String: String]> = []
        for batch in shrunk.batches {
            let request =
                protocolVersion == .v1
                ? try DecodedRequest.v1(compressed: batch.payload) : try DecodedRequest.v2(compressed: batch.payload)
            for series in request.series where series.samples.contains(where: { $0.value.isNaN }) {
                stale.insert(Dictionary(uniqueKeysWithValues: series.labels.map { ($0.name, $0.value) }))
            }
        }
        #expect(stale == Self.expectedLabels(services: 3).subtracting(Self.expectedLabels(services: 2)))
        // It comes back: sent again, relabeled the same way.
        let back = try Self.decode(
            encoder.encode(ipvsFamilies(services: 3, serversPerService: 2), timestamp: 4000, protocolVersion: .v1))
        #expect(Set(back.keys) == Self.expectedLabels(services: 3))
    }

    @Test("Series the rules make identical are one series: the second is dropped as a duplicate")
    func collapsedSeries() throws {
        let encoder = try Self.encoder([RelabelRule(action: .labelDrop, regex: "real_server")], shards: 3)
        let families = ipvsFamilies(services: 2, serversPerService: 3)
        let first = try encoder.encode(families, timestamp: 1000, protocolVersion: .v1)
        // Per service: 3 connection and 3 weight series become 1 + 1; 2 + 2 duplicates.
        #expect(first.dropped[.duplicateSeries] == 8)
        #expect(first.samples == 6)
        let second = try encoder.encode(families, timestamp: 2000, protocolVersion: .v1)
        #expect(second.dropped[.duplicateSeries] == 8 && second.samples == 6 && second.staleMarkers == 0)
        // One of the three servers going leaves the collapsed series alive: no marker.
        let fewer = try encoder.encode(
            ipvsFamilies(services: 2, serversPerService: 2), timestamp: 3000, protocolVersion: .v1)
        #expect(fewer.staleMarkers == 0 && fewer.samples == 6)
    }

    @Test("A rule that removes __name__ makes the series invalid, counted every cycle")
    func namelessSeries() throws {
        let encoder = try Self.encoder([
            RelabelRule(action: .labelDrop, regex: "__name__"), RelabelRule(action: .keep, sourceLabels: ["port"]),
        ])
        let families = gauge(value: 1) + ipvsFamilies(services: 1, serversPerService: 1)
        for time in [Int64(1000), 2000] {
            let result = try encoder.encode(families, timestamp: time, protocolVersion: .v1)
            #expect(result.dropped[.invalidSeries] == 4)
            #expect(result.samples == 0 && result.batches.isEmpty)
        }
    }

    @Test("No rules, or rules that change nothing, encode the same bytes as the encoder without rules")
    func unchangedOutput() throws {
        let families = ipvsFamilies(services: 4, serversPerService: 3)
        let plain = CollectionEncoder(externalLabels: Self.external, shardCount: 1, maxSamplesPerSend: 7)
        let empty = try Self.encoder([], shards: 1)
        let keepAll = try Self.encoder(
            [
                RelabelRule(action: .keep, sourceLabels: ["__name__"], regex: "ipvs_.+"),
                RelabelRule(action: .labelDrop, regex: "none"),
            ],
            shards: 1)
        for time in [Int64(1000), 2000] {
            let expected = try plain.encode(families, timestamp: time, protocolVersion: .v1).batches.map(\.payload)
            #expect(
                try empty.encode(families, timestamp: time, protocolVersion: .v1).batches.map(\.payload) == expected)
            #expect(
                try keepAll.encode(families, timestamp: time, protocolVersion: .v1).batches.map(\.payload) == expected)
        }
    }

    @Test("The configuration checks its rules and says which destination and rule is wrong")
    func configurationValidation() throws {
        var configuration = RemoteWriteConfiguration(url: "http://user:secret@receiver:8428/api/v1/write")
        #expect(try configuration.makeRelabeler() == nil)
        configuration.writeRelabelRules = [RelabelRule(action: .keep, sourceLabels: ["a"]), RelabelRule(regex: "x")]
        do {
            try configuration.validate()
            Issue.record("accepted a replace rule without target_label")
        } catch {
            #expect(
                error.description
                    == "remote-write http://receiver:8428/api/v1/write write relabel configs: "
                    + "relabel rule 2 (replace): target_label is required for the replace action")
        }
        configuration.writeRelabelRules = Self.rules
        try configuration.validate()
        #expect(try configuration.makeRelabeler()?.rules == Self.rules)
    }

    /// The encoded batches written into VictoriaMetrics: it stores exactly the relabeled
    /// series, the stale markers of the vanished kept ones, and nothing of the dropped.
    @Test("VictoriaMetrics stores the relabeled series and their stale markers, nothing of the dropped ones")
    func victoriaMetrics() async throws {
        let victoria = try await ExternalServer.victoriaMetrics()
        defer { stopInBackground(victoria) }
        let client = try HTTPClient(logger: silentLogger)
        let encoder = try Self.encoder(Self.rules)
        let start = nowMilliseconds() - 60_000
        let cycles = [(start, 3), (start + 15_000, 3), (start + 30_000, 2)]
        for (time, services) in cycles {
            let encoded = try encoder.encode(
                ipvsFamilies(services: services, serversPerService: 2), timestamp: time, protocolVersion: .v1)
            for batch in encoded.batches {
                let response = try await client.execute(
                    HTTPRequest(
                        method: .post, url: victoria.baseURL + "/api/v1/write",
                        headers: RemoteWriteHeaders.fields(for: .v1, tenant: nil), body: batch.payload))
                #expect(response.status == 204)
            }
        }
        let stored = try await ReceiverQueries.victoriaExport(victoria.baseURL, "{__name__=~\"ipvs_.+\"}")
        #expect(Set(stored.map(\.labels)) == Self.expectedLabels(services: 3))
        #expect(!stored.contains { $0.labels["__name__"] == "ipvs_real_server_weight" })
        let vanished = Self.expectedLabels(services: 3).subtracting(Self.expectedLabels(services: 2))
        for series in stored {
            let values = ipvsFamilies(services: 3, serversPerService: 2).flatMap(\.samples).first { sample in
                sample.name == series.labels["__name__"]
                    && sample.labels.allSatisfy { label in
                        label.name == "protocol" || series.labels[label.name] == label.value
                    }
            }.map(\.value)
            let value = try #require(values, "\(series)")
            var expected = cycles.prefix(2).map { ReceiverQueries.Point(timestamp: $0.0, value: value) }
            expected.append(.init(timestamp: cycles[2].0, value: vanished.contains(series.labels) ? .nan : value))
            #expect(series.points == expected, "\(series)")
        }
    }
}
