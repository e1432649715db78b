import Exposition
import Testing

@testable import RemoteWrite

/// `send`'s stateless 1.0 encoder against the agent's: the same collection, met by a
/// fresh ``CollectionEncoder``, must give the same requests byte for byte (labels
/// sorted around `__name__`, empty values and names left out, external labels merged
/// and overridden, metadata per batch, batch cuts), and every sample read back by
/// protobuf-c.
@Suite("One-shot remote-write 1.0 encoder")
struct OneShotEncoderTests {
    /// Families whose label names sort before and after `__name__` (upper case, `_a`,
    /// `__z`), an empty value, a label the external labels also set, a sample without a
    /// name, own timestamps, an OpenMetrics counter with its declared name, and a family
    /// whose name comes twice.
    static func families() -> [MetricFamily] {
        // One label set per sample position, shared by the families as a parser shares an
        // object's set among its families (the encoder caches a set's bytes by its storage).
        let labelSets = (0..<37).map { sample in
            var pairs: [Label] = [
                Label("instance", "host-\(sample % 5)"), Label("Zone", "Z\(sample % 3)"), Label("_a", "u"),
                Label("__z", "\(sample)"), Label("empty", ""),
            ]
            if sample % 4 == 0 { pairs.append(Label("region", "own-\(sample)")) }
            if sample % 6 == 0 { pairs.append(Label("cluster", "")) }
            return Labels(pairs)
        }
        var result: [MetricFamily] = []
        for (index, type) in [MetricType.counter, .gauge, .untyped, .summary].enumerated() {
            let name = "one_shot_\(index)\(type == .counter ? "_total" : "")"
            var family = MetricFamily(
                name: name, type: type, help: index == 2 ? "" : "help \(index)", unit: index == 1 ? "seconds" : nil,
                declaredName: type == .counter ? "one_shot_\(index)" : nil)
            for sample in 0..<37 {
                family.samples.append(
                    Sample(
                        name: sample == 11 ? "" : name, labels: labelSets[sample], value: Double(sample) * 1.5,
                        timestampMilliseconds: sample % 9 == 0 ? 1_700_000_000_000 + Int64(sample) : nil))
            }
            result.append(family)
        }
        result.append(
            MetricFamily(
                name: "one_shot_1_seconds", type: .gauge, help: "again", unit: nil,
                samples: [Sample(name: "one_shot_1_seconds", labels: Labels(["x": "late"]), value: 3)]))
        return result
    }

    static let external = Labels(["region": "eu", "cluster": "c1", "A": "first", "zz": "last"])

    @Test(arguments: [Labels.empty, external], [1, 7, 37, 2000])
    func sameRequestsAsTheAgentsEncoder(external: Labels, maxSamplesPerSend: Int) throws {
        let families = Self.families()
        let timestamp: Int64 = 1_650_000_000_000
        let agent = CollectionEncoder(externalLabels: external, shardCount: 1, maxSamplesPerSend: maxSamplesPerSend)
        let expected = try agent.encode(families, timestamp: timestamp, protocolVersion: .v1)
        let oneShot = try CollectionEncoder(
            externalLabels: external, shardCount: 1, maxSamplesPerSend: maxSamplesPerSend
        ).encodeOnce(families, timestamp: timestamp, protocolVersion: .v1)
        #expect(oneShot.samples == expected.samples)
        #expect(oneShot.dropped == expected.dropped)
        #expect(oneShot.dropped[.invalidSeries] == 4)
        #expect(oneShot.batches.map(\.sampleCount) == expected.batches.map(\.sampleCount))
        for (made, wanted) in zip(oneShot.batches, expected.batches) {
            #expect(Snappy.uncompress(made.payload) == Snappy.uncompress(wanted.payload))
        }
        // And protobuf-c reads every sample back with the labels it was given.
        let series = try oneShot.batches.flatMap { try DecodedRequest.v1(compressed: $0.payload).series }
        let named = families.map { family in
            var family = family
            family.samples.removeAll { $0.name.isEmpty }
            family.samples = family.samples.map { sample in
                var sample = sample
                sample.labels = Labels(sample.labels.pairs.filter { !$0.value.isEmpty })
                return sample
            }
            return family
        }
        let wanted = WireEncodingTests.expected(named, timestamp: timestamp, external: external)
        #expect(series.count == wanted.count)
        for item in series { #expect(wanted["\(item.labels)"] == item.samples.first, "\(item.labels)") }
    }

    @Test func batchesAreDealtToTheShardsInTurn() throws {
        let families = ipvsFamilies(services: 50, serversPerService: 3)
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 3, maxSamplesPerSend: 100)
        let encoded = try encoder.encodeOnce(families, timestamp: 1, protocolVersion: .v1)
        let total = families.reduce(0) { $0 + $1.samples.count }
        #expect(encoded.batches.count == (total + 99) / 100)
        #expect(encoded.batches.map(\.shard) == encoded.batches.indices.map { $0 % 3 })
        #expect(encoded.batches.dropLast().allSatisfy { $0.sampleCount == 100 })
        #expect(encoded.batches.reduce(0) { $0 + $1.sampleCount } == total)
    }

    /// What the one-shot path cannot do falls back to the agent's encoder: 2.0, write
    /// relabel rules, a second collection.
    @Test func remembersSeriesWhereItMust() throws {
        let families = ipvsFamilies(services: 2, serversPerService: 1)
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 1000)
        _ = try encoder.encodeOnce(families, timestamp: 1, protocolVersion: .v2)
        #expect(encoder.seriesCount > 0)
        let again = CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 1000)
        _ = try again.encode(families, timestamp: 1, protocolVersion: .v1)
        let second = try again.encodeOnce(Array(families.dropLast()), timestamp: 2, protocolVersion: .v1)
        #expect(second.staleMarkers > 0)
        let fresh = CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 1000)
        _ = try fresh.encodeOnce(families, timestamp: 1, protocolVersion: .v1)
        #expect(fresh.seriesCount == 0)
    }
}
