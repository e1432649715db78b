/// Up to 16 bytes of wire format kept in two words, written with two unaligned stores:
/// the encoders keep small pieces that repeat from series to series (a timestamp, a
/// family's metadata field, a name's refs) encoded once this way.
struct ShortBytes: BitwiseCopyable {
    /// Byte i at bits 8i of the first word (i < 8), then of the second.
    private(set) var low: UInt64 = 0
    private(set) var high: UInt64 = 0
    private(set) var count = 0

    /// Appends `value` as a varint (the caller keeps the total within 16 bytes).
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            byte(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        byte(UInt8(truncatingIfNeeded: value))
    }

    /// Appends the bytes of `other`.
    mutating func append(_ other: ShortBytes) {
        for index in 0..<other.count {
            let word = index < 8 ? other.low : other.high
            byte(UInt8(truncatingIfNeeded: word >> (8 * UInt64(index % 8))))
        }
    }

    mutating func byte(_ value: UInt8) {
        precondition(count < 16, "ShortBytes holds at most 16 bytes")
        if count < 8 {
            low |= UInt64(value) << (8 * UInt64(count))
        } else {
            high |= UInt64(value) << (8 * UInt64(count - 8))
        }
        count += 1
    }
}

extension WireCursor {
    /// Writes `bytes`; room for 16 bytes must have been made, however few it holds.
    @inline(__always)
    mutating func shortBytes(_ bytes: ShortBytes) {
        UnsafeMutableRawPointer(position).storeBytes(of: bytes.low.littleEndian, as: UInt64.self)
        UnsafeMutableRawPointer(position + 8).storeBytes(of: bytes.high.littleEndian, as: UInt64.self)
        position += bytes.count
    }
}
