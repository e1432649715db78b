import TestSupport

/// A remote-write 1.0 request body (snappy block, then `prometheus.WriteRequest`) decoded
/// by the test itself, independently of the product's protobuf-c encoder, to see what
/// was sent where the receivers cannot show it (the metadata, for one).
struct WriteRequestV1 {
    struct Series {
        var labels: [String: String]
        var points: [StoredSeries.Point]
    }

    struct Metadata: Equatable, CustomStringConvertible {
        /// The `MetricType` enum name in lower case: counter, gauge, histogram, summary, unknown...
        var type: String
        var help: String
        var unit: String
        var description: String { "\(type) \"\(help)\" unit \"\(unit)\"" }
    }

    var series: [Series] = []
    /// By family name.
    var metadata: [String: Metadata] = [:]

    static let types = ["unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"]

    init(compressed: [UInt8]) throws {
        var request = ProtobufReader(try Self.uncompress(compressed))
        while let (field, wire) = try request.key() {
            switch (field, wire) {
            case (1, 2):
                var message = ProtobufReader(try request.bytes())
                var labels: [String: String] = [:]
                var points: [StoredSeries.Point] = []
                while let (field, wire) = try message.key() {
                    switch (field, wire) {
                    case (1, 2):
                        var label = ProtobufReader(try message.bytes())
                        var name = ""
                        var value = ""
                        while let (field, wire) = try label.key() {
                            switch (field, wire) {
                            case (1, 2): name = String(decoding: try label.bytes(), as: UTF8.self)
                            case (2, 2): value = String(decoding: try label.bytes(), as: UTF8.self)
                            default: try label.skip(wire)
                            }
                        }
                        guard labels.updateValue(value, forKey: name) == nil else {
                            throw TestFailure("label \(name) twice in one series")
                        }
                    case (2, 2):
                        var sample = ProtobufReader(try message.bytes())
                        var point = StoredSeries.Point(timestamp: 0, value: 0)
                        while let (field, wire) = try sample.key() {
                            switch (field, wire) {
                            case (1, 1): point.value = Double(bitPattern: try sample.fixed64())
                            case (2, 0): point.timestamp = Int64(bitPattern: try sample.varint())
                            default: try sample.skip(wire)
                            }
                        }
                        points.append(point)
                    default:
                        try message.skip(wire)
                    }
                }
                series.append(Series(labels: labels, points: points))
            case (3, 2):
                var message = ProtobufReader(try request.bytes())
                var name = ""
                var entry = Metadata(type: "unknown", help: "", unit: "")
                while let (field, wire) = try message.key() {
                    switch (field, wire) {
                    case (1, 0):
                        let type = Int(try message.varint())
                        entry.type = type < Self.types.count ? Self.types[type] : "type \(type)"
                    case (2, 2): name = String(decoding: try message.bytes(), as: UTF8.self)
                    case (4, 2): entry.help = String(decoding: try message.bytes(), as: UTF8.self)
                    case (5, 2): entry.unit = String(decoding: try message.bytes(), as: UTF8.self)
                    default: try message.skip(wire)
                    }
                }
                metadata[name] = entry
            default:
                try request.skip(wire)
            }
        }
    }

    /// Undoes snappy's block format: the uncompressed length as a varint, then literals
    /// and back-references.
    static func uncompress(_ input: [UInt8]) throws -> [UInt8] {
        var reader = ProtobufReader(input)
        let length = Int(try reader.varint())
        var position = reader.position
        var output: [UInt8] = []
        output.reserveCapacity(length)
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard position + count <= input.count else { throw TestFailure("snappy block ends early") }
            defer { position += count }
            return input[position..<(position + count)]
        }
        func little(_ count: Int) throws -> Int {
            try take(count).reversed().reduce(0) { $0 << 8 | Int($1) }
        }
        while position < input.count {
            let tag = Int(try take(1).first!)
            var copyLength: Int
            var offset: Int
            switch tag & 3 {
            case 0:
                var literal = tag >> 2
                if literal >= 60 { literal = try little(literal - 59) }
                output += try take(literal + 1)
                continue
            case 1:
                copyLength = 4 + (tag >> 2) & 7
                offset = (tag >> 5) << 8 | Int(try take(1).first!)
            case 2:
                copyLength = 1 + tag >> 2
                offset = try little(2)
            default:
                copyLength = 1 + tag >> 2
                offset = try little(4)
            }
            guard offset > 0, offset <= output.count else {
                throw TestFailure("snappy copy offset \(offset) is out of range")
            }
            for _ in 0..<copyLength { output.append(output[output.count - offset]) }
        }
        guard output.count == length else {
            throw TestFailure("snappy block gave \(output.count) bytes, its header says \(length)")
        }
        return output
    }
}
