import CRemoteWriteProto
import CSnappy
import TestSupport

/// A remote-write body decoded with protobuf-c's own unpack functions, as plain
/// Swift values, for comparing what an encoder produced with what was meant.
struct DecodedRequest: Equatable {
    struct Series: Equatable {
        var labels: [Pair]
        var samples: [Point]
        /// 2.0 only: the series' metadata, resolved through the symbol table.
        var metadata: Metadata?
    }

    struct Pair: Equatable, CustomStringConvertible {
        var name: String
        var value: String
        init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
        var description: String { "\(name)=\"\(value)\"" }
    }

    struct Point: Equatable {
        var value: Double
        var timestamp: Int64
        static func == (lhs: Point, rhs: Point) -> Bool {
            lhs.value.bitPattern == rhs.value.bitPattern && lhs.timestamp == rhs.timestamp
        }
    }

    struct Metadata: Equatable {
        var type: UInt32
        var familyName: String
        var help: String
        var unit: String
    }

    var series: [Series] = []
    /// 1.0: the `metadata` field; 2.0: empty (metadata is per series).
    var metadata: [Metadata] = []
    /// 2.0: the symbol table as sent.
    var symbols: [String] = []
    /// 2.0: the raw label refs of each series.
    var labelRefs: [[UInt32]] = []

    var sampleCount: Int { series.reduce(0) { $0 + $1.samples.count } }

    static func uncompress(_ compressed: [UInt8]) throws -> [UInt8] {
        try compressed.withUnsafeBytes { raw in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var length = 0
            guard snappy_uncompressed_length(base, raw.count, &length) == SNAPPY_OK else {
                throw TestFailure("not a snappy block")
            }
            var output = [UInt8](repeating: 0, count: max(length, 1))
            let status = output.withUnsafeMutableBytes {
                snappy_uncompress(base, raw.count, $0.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
            }
            guard status == SNAPPY_OK else { throw TestFailure("snappy_uncompress failed") }
            return Array(output.prefix(length))
        }
    }

    /// Decodes a snappy-compressed 1.0 WriteRequest.
    static func v1(compressed: [UInt8]) throws -> DecodedRequest {
        try v1(protobuf: uncompress(compressed))
    }

    static func v1(protobuf: [UInt8]) throws -> DecodedRequest {
        guard
            let request = protobuf.withUnsafeBufferPointer({
                prometheus__write_request__unpack(nil, $0.count, $0.baseAddress)
            })
        else { throw TestFailure("protobuf-c cannot unpack the body as prometheus.WriteRequest") }
        defer { prometheus__write_request__free_unpacked(request, nil) }
        var decoded = DecodedRequest()
        for index in 0..<request.pointee.n_timeseries {
            let series = request.pointee.timeseries[index]!.pointee
            var labels: [Pair] = []
            for labelIndex in 0..<series.n_labels {
                let label = series.labels[labelIndex]!.pointee
                labels.append(Pair(String(cString: label.name), String(cString: label.value)))
            }
            var points: [Point] = []
            for sampleIndex in 0..<series.n_samples {
                let sample = series.samples[sampleIndex]!.pointee
                points.append(Point(value: sample.value, timestamp: sample.timestamp))
            }
            decoded.series.append(Series(labels: labels, samples: points, metadata: nil))
        }
        for index in 0..<request.pointee.n_metadata {
            let item = request.pointee.metadata[index]!.pointee
            decoded.metadata.append(
                Metadata(
                    type: item.type.rawValue, familyName: String(cString: item.metric_family_name),
                    help: String(cString: item.help), unit: String(cString: item.unit)))
        }
        return decoded
    }

    /// Decodes a snappy-compressed 2.0 Request, resolving refs (and failing on refs out
    /// of range).
    static func v2(compressed: [UInt8]) throws -> DecodedRequest {
        let protobuf = try uncompress(compressed)
        guard
            let request = protobuf.withUnsafeBufferPointer({
                io__prometheus__write__v2__request__unpack(nil, $0.count, $0.baseAddress)
            })
        else { throw TestFailure("protobuf-c cannot unpack the body as io.prometheus.write.v2.Request") }
        defer { io__prometheus__write__v2__request__free_unpacked(request, nil) }
        var decoded = DecodedRequest()
        for index in 0..<request.pointee.n_symbols {
            decoded.symbols.append(String(cString: request.pointee.symbols[index]!))
        }
        func symbol(_ ref: UInt32) throws -> String {
            guard Int(ref) < decoded.symbols.count else { throw TestFailure("symbol ref \(ref) out of range") }
            return decoded.symbols[Int(ref)]
        }
        for index in 0..<request.pointee.n_timeseries {
            let series = request.pointee.timeseries[index]!.pointee
            guard series.n_labels_refs % 2 == 0 else { throw TestFailure("odd labels_refs count") }
            var refs: [UInt32] = []
            for refIndex in 0..<series.n_labels_refs { refs.append(series.labels_refs[refIndex]) }
            var labels: [Pair] = []
            var pair = 0
            while pair < refs.count {
                labels.append(Pair(try symbol(refs[pair]), try symbol(refs[pair + 1])))
                pair += 2
            }
            var points: [Point] = []
            for sampleIndex in 0..<series.n_samples {
                let sample = series.samples[sampleIndex]!.pointee
                points.append(Point(value: sample.value, timestamp: sample.timestamp))
            }
            var metadata: Metadata?
            if let item = series.metadata?.pointee {
                metadata = Metadata(
                    type: item.type.rawValue, familyName: "", help: try symbol(item.help_ref),
                    unit: try symbol(item.unit_ref))
            }
            decoded.series.append(Series(labels: labels, samples: points, metadata: metadata))
            decoded.labelRefs.append(refs)
        }
        return decoded
    }
}
