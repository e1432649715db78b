import Exposition
import Testing

@testable import RemoteWrite

/// The hand-written 1.0 and 2.0 wire format read back by protobuf-c's own parser: values
/// at and around proto3's defaults, lengths that need multi-byte varints, every family
/// type, units, staleness markers, and series whose cached label bytes outlive an
/// interner compaction.
@Suite("Remote-write wire format read back by protobuf-c")
struct WireEncodingTests {
    static let values: [Double] = [0, -0.0, .nan, .infinity, -.infinity, 1e300, -1, 0.5, 12345, 5e-324]

    /// Families of every type; label values of 1, 130 and 20,000 bytes; help over 127 bytes.
    static func families() -> [MetricFamily] {
        let long = String(repeating: "x", count: 130)
        let huge = String(repeating: "y", count: 20_000)
        let types: [MetricType] = [.counter, .gauge, .untyped, .summary, .histogram]
        return types.enumerated().map { typeIndex, type in
            let name = "wire_\(type.rawValue)\(type == .counter ? "_total" : "")"
            var family = MetricFamily(
                name: name, type: type, help: String(repeating: "help ", count: 30), unit: typeIndex == 0 ? "" : nil)
            for (index, value) in values.enumerated() {
                let labels = Labels([
                    "a": "\(index)", "long": long, "huge": index == 3 ? huge : "h", "utf8": "grüße \(typeIndex)",
                ])
                family.samples.append(
                    Sample(
                        name: name, labels: labels, value: value,
                        timestampMilliseconds: index == 4 ? 1 : (index == 5 ? 1_700_000_000_123 : nil)))
            }
            return family
        }
    }

    static func expected(_ families: [MetricFamily], timestamp: Int64, external: Labels = .empty)
        -> [String: DecodedRequest.Point]
    {
        var expected: [String: DecodedRequest.Point] = [:]
        for family in families {
            for sample in family.samples {
                var labels = sample.labels.pairs.map { DecodedRequest.Pair($0.name, $0.value) }
                labels.append(.init("__name__", sample.name))
                for label in external where sample.labels[label.name] == nil {
                    labels.append(.init(label.name, label.value))
                }
                labels.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
                expected["\(labels)"] = .init(value: sample.value, timestamp: sample.timestampMilliseconds ?? timestamp)
            }
        }
        return expected
    }

    static func decode(_ batches: [EncodedBatch], _ version: RemoteWriteProtocol) throws -> [DecodedRequest] {
        try batches.map {
            version == .v1 ? try DecodedRequest.v1(compressed: $0.payload) : try .v2(compressed: $0.payload)
        }
    }

    @Test(arguments: RemoteWriteProtocol.allCases, [1, 7, 2000])
    func everyValueLengthAndTypeReadsBack(version: RemoteWriteProtocol, maxSamplesPerSend: Int) throws {
        let families = Self.families()
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 2, maxSamplesPerSend: maxSamplesPerSend)
        let timestamp: Int64 = 1_600_000_000_000
        let requests = try Self.decode(
            encoder.encode(families, timestamp: timestamp, protocolVersion: version).batches, version)
        let expected = Self.expected(families, timestamp: timestamp)
        let series = requests.flatMap(\.series)
        #expect(series.count == expected.count)
        for item in series {
            #expect(item.samples.count == 1)
            #expect(expected["\(item.labels)"] == item.samples.first, "\(item.labels.prefix(2))")
            if version == .v2 {
                let metadata = try #require(item.metadata)
                #expect(metadata.help == String(repeating: "help ", count: 30))
            }
        }
        if version == .v1 {
            for request in requests {
                let names = Set(request.series.map { $0.labels.first { $0.name == "__name__" }!.value })
                #expect(Set(request.metadata.map(\.familyName)) == names)
                #expect(request.metadata.count == names.count, "each family's metadata once per request")
            }
            let types = Dictionary(requests.flatMap(\.metadata).map { ($0.familyName, $0.type) }) { first, _ in first }
            #expect(
                types == [
                    "wire_counter_total": 1, "wire_gauge": 2, "wire_untyped": 0, "wire_summary": 5, "wire_histogram": 3,
                ])
        }
    }

    @Test(arguments: RemoteWriteProtocol.allCases)
    func staleMarkersAndCompactionKeepTheLabels(version: RemoteWriteProtocol) throws {
        // 3,000 series, then only the first 100: 2,900 staleness markers, and the interner
        // is rebuilt (more than 1,024 and more than half of the series went). The
        // survivors' labels, cached as bytes before, must still be right afterwards.
        func family(_ count: Int) -> MetricFamily {
            var family = MetricFamily(name: "many", type: .gauge, help: "Many.")
            for index in 0..<count {
                family.add(Labels(["id": "series-\(index)", "zone": "z\(index % 7)"]), Double(index))
            }
            return family
        }
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 500)
        _ = try encoder.encode([family(3000)], timestamp: 1000, protocolVersion: version)
        let second = try Self.decode(
            encoder.encode([family(100)], timestamp: 2000, protocolVersion: version).batches, version)
        let stale = second.flatMap(\.series).filter { StaleMarker.isStaleMarker($0.samples[0].value) }
        #expect(stale.count == 2900)
        #expect(encoder.seriesCount == 100)
        let third = try Self.decode(
            encoder.encode([family(100)], timestamp: 3000, protocolVersion: version).batches, version)
        let expected = Self.expected([family(100)], timestamp: 3000)
        let series = third.flatMap(\.series)
        #expect(series.count == 100)
        for item in series { #expect(expected["\(item.labels)"] == item.samples.first, "\(item.labels)") }
    }

    /// Services come and go over many collections: the label set numbering is forgotten
    /// (more than twice the sets met are remembered), rows are freed, reused and, for 2.0,
    /// renumbered, and a service that comes back is a new series again. Every collection
    /// must still send each present series once with its own labels and value, and a
    /// staleness marker for each series that went.
    @Test(arguments: RemoteWriteProtocol.allCases)
    func servicesComingAndGoingKeepEverySeriesRight(version: RemoteWriteProtocol) throws {
        let encoder = CollectionEncoder(externalLabels: Labels(["dc": "x"]), shardCount: 2, maxSamplesPerSend: 700)
        // Collection n has services n*600 ..< n*600+1,200: half of them new, half from the last one.
        func families(_ round: Int) -> [MetricFamily] {
            ipvsFamilies(services: 600 * round + 1200, serversPerService: 2, value: { Double($0 * 10 + $1 + round) })
                .map { family in
                    var kept = family
                    kept.samples = family.samples.filter { sample in
                        let parts = sample.labels["address"]!.split(separator: ".").compactMap { Int($0) }
                        let service = parts[2] * 250 + parts[3]
                        return service >= 600 * round
                    }
                    return kept
                }
        }
        var previous: Set<String> = []
        for round in 0..<6 {
            let timestamp = Int64(1000 * (round + 1))
            let current = families(round)
            let series = try Self.decode(
                encoder.encode(current, timestamp: timestamp, protocolVersion: version).batches, version
            ).flatMap(\.series)
            let expected = Self.expected(current, timestamp: timestamp, external: Labels(["dc": "x"]))
            let live = series.filter { !StaleMarker.isStaleMarker($0.samples[0].value) }
            let stale = Set(series.filter { StaleMarker.isStaleMarker($0.samples[0].value) }.map { "\($0.labels)" })
            #expect(live.count == expected.count, "round \(round)")
            for item in live {
                #expect(expected["\(item.labels)"] == item.samples.first, "round \(round): \(item.labels)")
            }
            #expect(stale == previous.subtracting(expected.keys), "round \(round)")
            #expect(encoder.seriesCount == expected.count)
            previous = Set(expected.keys)
        }
    }
}
