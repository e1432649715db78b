import TestSupport

/// Reads protobuf's wire format: keys, varints, fixed 64-bit values, length-delimited bytes.
struct ProtobufReader {
    let data: [UInt8]
    var position = 0

    init(_ data: [UInt8]) { self.data = data }
    init(_ data: ArraySlice<UInt8>) { self.data = Array(data) }

    /// The next field number and wire type; nil at the end.
    mutating func key() throws -> (Int, Int)? {
        guard position < data.count else { return nil }
        let key = try varint()
        return (Int(key >> 3), Int(key & 7))
    }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < data.count, shift < 64 else { throw TestFailure("varint runs past the message") }
            let byte = data[position]
            position += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
    }

    mutating func fixed64() throws -> UInt64 {
        guard position + 8 <= data.count else { throw TestFailure("fixed64 runs past the message") }
        defer { position += 8 }
        return data[position..<(position + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    mutating func bytes() throws -> ArraySlice<UInt8> {
        let length = Int(try varint())
        guard position + length <= data.count else {
            throw TestFailure("field of \(length) bytes runs past the message")
        }
        defer { position += length }
        return data[position..<(position + length)]
    }

    mutating func skip(_ wire: Int) throws {
        switch wire {
        case 0: _ = try varint()
        case 1: _ = try fixed64()
        case 2: _ = try bytes()
        case 5: position += 4
        default: throw TestFailure("unknown wire type \(wire)")
        }
    }
}
