import Exposition
import Testing

@testable import RemoteWrite

@Suite("Remote-write encoders")
struct EncoderTests {
    /// One series, one family: every byte of the 1.0 protobuf as the spec's field
    /// numbers give it.
    @Test func v1ExactBytes() throws {
        let family = MetricFamily(
            name: "up", type: .gauge, help: "h", samples: [Sample(name: "up", labels: Labels(["job": "a"]), value: 1)])
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 2000)
        let result = try encoder.encode([family], timestamp: 1000, protocolVersion: .v1)
        try #require(result.batches.count == 1)
        let protobuf = try DecodedRequest.uncompress(result.batches[0].payload)
        let name: [UInt8] = Array("__name__".utf8)
        let expected: [UInt8] =
            [0x0A, 40]  // timeseries (field 1), 40 bytes
            + [0x0A, 14, 0x0A, 8] + name + [0x12, 2] + Array("up".utf8)  // label __name__="up"
            + [0x0A, 8, 0x0A, 3] + Array("job".utf8) + [0x12, 1] + Array("a".utf8)  // label job="a"
            + [0x12, 12, 0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 0xE8, 0x07]  // sample 1.0 @ 1000
            + [0x1A, 9, 0x08, 2, 0x12, 2] + Array("up".utf8) + [0x22, 1] + Array("h".utf8)  // metadata GAUGE "up" "h"
        #expect(protobuf == expected)
        // A snappy block (not the framed format, which starts with a stream identifier
        // chunk 0xff): the uncompressed length as a varint comes first.
        #expect(result.batches[0].payload.first == 53)
    }

    /// The same fixture in 2.0: symbols ["", "__name__", "up", "job", "a", "h"].
    @Test func v2ExactBytes() throws {
        let family = MetricFamily(
            name: "up", type: .gauge, help: "h", samples: [Sample(name: "up", labels: Labels(["job": "a"]), value: 1)])
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 2000)
        let result = try encoder.encode([family], timestamp: 1000, protocolVersion: .v2)
        let protobuf = try DecodedRequest.uncompress(result.batches[0].payload)
        func symbol(_ text: String) -> [UInt8] { [0x22, UInt8(text.utf8.count)] + Array(text.utf8) }
        let expected: [UInt8] =
            symbol("") + symbol("__name__") + symbol("up") + symbol("job") + symbol("a") + symbol("h")
            + [0x2A, 26]  // timeseries (field 5)
            + [0x0A, 4, 1, 2, 3, 4]  // labels_refs, packed
            + [0x12, 12, 0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x10, 0xE8, 0x07]  // sample
            + [0x2A, 4, 0x08, 2, 0x18, 5]  // metadata: GAUGE, help_ref 5, unit_ref 0 (omitted)
        #expect(protobuf == expected)
    }

    @Test(arguments: RemoteWriteProtocol.allCases)
    func roundTripKeepsEveryValueLabelAndTimestamp(protocolVersion: RemoteWriteProtocol) throws {
        let families = ipvsFamilies(services: 30, serversPerService: 4)
        let encoder = CollectionEncoder(
            externalLabels: Labels(["cluster": "eu-1", "port": "ignored", "zone": ""]), shardCount: 3,
            maxSamplesPerSend: 50)
        let result = try encoder.encode(families, timestamp: 1_700_000_000_000, protocolVersion: protocolVersion)
        var decoded: [DecodedRequest.Series] = []
        for batch in result.batches {
            #expect(batch.sampleCount <= 50)
            let request =
                protocolVersion == .v1
                ? try DecodedRequest.v1(compressed: batch.payload) : try DecodedRequest.v2(compressed: batch.payload)
            #expect(request.sampleCount == batch.sampleCount)
            decoded += request.series
            if protocolVersion == .v2 {
                #expect(request.symbols.first == "")
                #expect(Set(request.symbols).count == request.symbols.count, "symbols are unique")
                for series in request.series {
                    #expect(series.metadata != nil)
                }
            } else {
                let names = Set(request.series.map { $0.labels.first { $0.name == "__name__" }!.value })
                #expect(Set(request.metadata.map(\.familyName)) == names)
            }
        }
        var expected: [String: DecodedRequest.Point] = [:]
        for family in families {
            for sample in family.samples {
                var labels = sample.labels.pairs.map { DecodedRequest.Pair($0.name, $0.value) }
                labels.append(.init("__name__", sample.name))
                labels.append(.init("cluster", "eu-1"))
                labels.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
                expected["\(labels)"] = .init(value: sample.value, timestamp: 1_700_000_000_000)
            }
        }
        #expect(decoded.count == expected.count)
        for series in decoded {
            #expect(series.samples.count == 1)
            #expect(expected["\(series.labels)"] == series.samples.first, "\(series.labels)")
            let names = series.labels.map(\.name)
            #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            #expect(Set(names).count == names.count)
            #expect(series.labels.allSatisfy { !$0.name.isEmpty && !$0.value.isEmpty })
        }
    }

    @Test func labelRulesNameSortingEmptyValuesAndExternalLabels() throws {
        let sample = Sample(
            name: "m",
            labels: Labels([Label("Zone", "upper"), Label("b", ""), Label("a", "1"), Label("__name__", "x")]),
            value: 2)
        let family = MetricFamily(name: "m", type: .untyped, help: "", samples: [sample])
        let encoder = CollectionEncoder(
            externalLabels: Labels([Label("a", "external"), Label("b", "external"), Label("dc", "x")]), shardCount: 1,
            maxSamplesPerSend: 10)
        let result = try encoder.encode([family], timestamp: 5, protocolVersion: .v2)
        let request = try DecodedRequest.v2(compressed: result.batches[0].payload)
        // "Z" (0x5A) sorts before "_" (0x5F); the sample's own `a` wins over the
        // external one; the empty `b` is no label, so the external `b` is added (as
        // Prometheus does: empty means absent); `__name__` is the sample name.
        #expect(
            request.series[0].labels == [
                .init("Zone", "upper"), .init("__name__", "m"), .init("a", "1"), .init("b", "external"),
                .init("dc", "x"),
            ])
        for refs in request.labelRefs {
            #expect(refs.allSatisfy { Int($0) < request.symbols.count })
        }
    }

    /// Every OpenMetrics type has its own code in both protocols, and 1.0's metadata names
    /// the family as the document declared it (`build`, not `build_info`), as Prometheus
    /// does for what it scraped as OpenMetrics; a text-format counter keeps its `_total`.
    @Test func openMetricsTypesAndFamilyNamesReachTheMetadata() throws {
        let openMetrics = """
            # TYPE jobs counter
            jobs_total 3
            # TYPE build info
            build_info{version="1.2"} 1
            # TYPE feature stateset
            feature{feature="a"} 1
            feature{feature="b"} 0
            # TYPE queue gaugehistogram
            queue_bucket{le="1"} 2
            queue_bucket{le="+Inf"} 3
            queue_gcount 3
            queue_gsum 2.5
            # TYPE other unknown
            other 1
            # EOF

            """
        let text = "# TYPE requests_total counter\nrequests_total 1\n"
        let families =
            try ExpositionParser.parse(openMetrics, source: "om").families
            + ExpositionParser.parse(text, source: "text").families
        let expected: [String: UInt32] = [
            "jobs": 1, "build": 6, "feature": 7, "queue": 4, "other": 0, "requests_total": 1,
        ]
        let v1 = try CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 100)
            .encode(families, timestamp: 5, protocolVersion: .v1)
        let request = try DecodedRequest.v1(compressed: v1.batches[0].payload)
        #expect(Dictionary(uniqueKeysWithValues: request.metadata.map { ($0.familyName, $0.type) }) == expected)

        let v2 = try CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 100)
            .encode(families, timestamp: 5, protocolVersion: .v2)
        let series = try DecodedRequest.v2(compressed: v2.batches[0].payload).series
        let types = Dictionary(
            series.map { (($0.labels.first { $0.name == "__name__" })!.value, $0.metadata?.type) }
        ) { first, _ in first }
        #expect(types["jobs_total"] == 1 && types["build_info"] == 6 && types["feature"] == 7)
        #expect(types["queue_bucket"] == 4 && types["queue_gsum"] == 4 && types["other"] == 0)
        #expect(types["requests_total"] == 1)
        // 2.0 to 1.0 (the fallback) keeps the types and names an info family as 1.0 does.
        let transcoded = try DecodedRequest.v1(
            compressed: RequestTranscoder.v2ToV1(v2.batches[0].payload))
        let transcodedTypes = Dictionary(transcoded.metadata.map { ($0.familyName, $0.type) }) { first, _ in first }
        #expect(transcodedTypes["build"] == 6 && transcodedTypes["queue"] == 4 && transcodedTypes["feature"] == 7)
    }

    @Test func batchesHoldAtMostMaxSamplesPerSendAndSeriesKeepTheirShard() throws {
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 4, maxSamplesPerSend: 7)
        var shardOfSeries: [String: Int] = [:]
        for cycle in 1...3 {
            let result = try encoder.encode(
                ipvsFamilies(services: 10, serversPerService: 3), timestamp: Int64(cycle) * 1000, protocolVersion: .v1)
            #expect(result.samples == 70)
            #expect(result.batches.reduce(0) { $0 + $1.sampleCount } == 70)
            for batch in result.batches {
                #expect(batch.sampleCount <= 7)
                for series in try DecodedRequest.v1(compressed: batch.payload).series {
                    let key = "\(series.labels)"
                    if let known = shardOfSeries[key] { #expect(known == batch.shard) }
                    shardOfSeries[key] = batch.shard
                }
            }
        }
        #expect(Set(shardOfSeries.values).count == 4, "70 series spread over all 4 shards")
    }

    @Test func vanishedSeriesGetOneStaleMarker() throws {
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 2, maxSamplesPerSend: 100)
        _ = try encoder.encode(ipvsFamilies(services: 3, serversPerService: 2), timestamp: 1000, protocolVersion: .v1)
        // Service 2 disappears.
        let second = try encoder.encode(
            ipvsFamilies(services: 2, serversPerService: 2), timestamp: 2000, protocolVersion: .v1)
        #expect(second.staleMarkers == 2 * 2 + 1)
        var stale: [DecodedRequest.Series] = []
        for batch in second.batches {
            stale += try DecodedRequest.v1(compressed: batch.payload).series.filter {
                $0.samples.contains { $0.value.isNaN }
            }
        }
        #expect(stale.count == 5)
        for series in stale {
            #expect(series.samples == [.init(value: StaleMarker.value, timestamp: 2000)])
            #expect(series.samples[0].value.bitPattern == 0x7ff0_0000_0000_0002)
            #expect(series.labels.contains(.init("address", "10.0.0.2")))
        }
        // Once only.
        let third = try encoder.encode(
            ipvsFamilies(services: 2, serversPerService: 2), timestamp: 3000, protocolVersion: .v1)
        #expect(third.staleMarkers == 0)
        #expect(third.samples == 10)
    }

    @Test func duplicateAndOutOfOrderSamplesAreDroppedAndCounted() throws {
        let labels = Labels(["a": "1"])
        let family = MetricFamily(
            name: "m", type: .gauge, help: "",
            samples: [
                Sample(name: "m", labels: labels, value: 1), Sample(name: "m", labels: labels, value: 2),
                Sample(name: "", labels: labels, value: 3),
            ])
        let encoder = CollectionEncoder(externalLabels: .empty, shardCount: 1, maxSamplesPerSend: 10)
        let first = try encoder.encode([family], timestamp: 1000, protocolVersion: .v1)
        #expect(first.samples == 1)
        #expect(first.dropped == [.duplicateSeries: 1, .invalidSeries: 1])
        let request = try DecodedRequest.v1(compressed: first.batches[0].payload)
        #expect(request.series[0].samples == [.init(value: 1, timestamp: 1000)])
        // The same timestamp again: a receiver would reject the whole request.
        let again = try encoder.encode([family], timestamp: 1000, protocolVersion: .v1)
        #expect(again.samples == 0)
        #expect(again.dropped[.outOfOrder] == 1)
    }

    /// Two samples that differ only where the receiver sees no difference (an empty label
    /// value is the label's absence; a label equal to the external one) are one series:
    /// the second is a duplicate, not a second series with the same labels in the request.
    @Test(arguments: RemoteWriteProtocol.allCases)
    func samplesSentAsTheSameSeriesAreOneSeries(version: RemoteWriteProtocol) throws {
        let family = MetricFamily(
            name: "m", type: .gauge, help: "",
            samples: [
                Sample(name: "m", labels: Labels(["a": "1", "b": ""]), value: 1),
                Sample(name: "m", labels: Labels(["a": "1"]), value: 2),
                Sample(name: "m", labels: Labels(["a": "1", "dc": "x"]), value: 3),
                Sample(name: "m", labels: Labels(["a": "2"]), value: 4),
            ])
        let encoder = CollectionEncoder(externalLabels: Labels(["dc": "x"]), shardCount: 1, maxSamplesPerSend: 10)
        for timestamp: Int64 in [1000, 2000] {
            let encoded = try encoder.encode([family], timestamp: timestamp, protocolVersion: version)
            #expect(encoded.samples == 2)
            #expect(encoded.dropped == [.duplicateSeries: 2])
            #expect(encoded.staleMarkers == 0)
            #expect(encoder.seriesCount == 2)
        }
    }

    @Test func transcodingV2ToV1KeepsSeriesAndMetadata() throws {
        let encoder = CollectionEncoder(externalLabels: Labels(["dc": "x"]), shardCount: 1, maxSamplesPerSend: 1000)
        var families = ipvsFamilies(services: 5, serversPerService: 2)
        families.append(
            MetricFamily(
                name: "latency_seconds", type: .histogram, help: "Latency.", unit: "seconds",
                samples: [
                    Sample(name: "latency_seconds_bucket", labels: Labels(["le": "+Inf"]), value: 3),
                    Sample(name: "latency_seconds_sum", labels: .empty, value: 1.5),
                    Sample(name: "latency_seconds_count", labels: .empty, value: 3),
                ]))
        let v2 = try encoder.encode(families, timestamp: 42_000, protocolVersion: .v2)
        let direct = try CollectionEncoder(externalLabels: Labels(["dc": "x"]), shardCount: 1, maxSamplesPerSend: 1000)
            .encode(families, timestamp: 42_000, protocolVersion: .v1)
        let transcoded = try DecodedRequest.v1(compressed: RequestTranscoder.v2ToV1(v2.batches[0].payload))
        let expected = try DecodedRequest.v1(compressed: direct.batches[0].payload)
        // 2.0 requests hold an object's series side by side, 1.0 requests a family's: the
        // same series in another order.
        let order = { (series: [DecodedRequest.Series]) in
            series.sorted { "\($0.labels)".utf8.lexicographicallyPrecedes("\($1.labels)".utf8) }
        }
        #expect(transcoded.series.count == expected.series.count)
        #expect(order(transcoded.series) == order(expected.series))
        let byName = { (items: [DecodedRequest.Metadata]) in
            Dictionary(uniqueKeysWithValues: items.map { ($0.familyName, $0) })
        }
        #expect(byName(transcoded.metadata) == byName(expected.metadata))
        #expect(byName(transcoded.metadata)["latency_seconds"]?.unit == "seconds")
    }

    /// Found by Fuzz/FuzzTranscoder: a queued block whose header claims 2.9 GB had that
    /// much zeroed memory allocated (and touched) before snappy found the block damaged;
    /// now it is refused first, and a valid block still decompresses.
    @Test func aSnappyBlockClaimingMoreThanItHoldsIsRefusedBeforeAllocating() throws {
        let damaged: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0x0a, 0x04, 0x01, 0x02]
        #expect(Snappy.uncompress(damaged) == nil)
        #expect(throws: RemoteWriteError.self) { try RequestTranscoder.v2ToV1(damaged) }
        let body = [UInt8]("a body that compresses".utf8)
        #expect(Snappy.uncompress(try Snappy.compress(body)) == body)
    }
}
