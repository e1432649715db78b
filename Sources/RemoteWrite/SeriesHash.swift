/// A fast 64-bit hash of strings' UTF-8 bytes, the same in every process (unlike
/// Swift's seeded `Hasher`): eight bytes at a time with multiply-rotate rounds in the
/// style of xxHash64, each string closed by its length so that ("ab", "c") and
/// ("a", "bc") differ, and a final avalanche.
struct SeriesHash {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9

    private var state: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always)
    private mutating func mix(_ word: UInt64) {
        var lane = word &* Self.prime2
        lane = (lane << 31) | (lane >> 33)
        lane &*= Self.prime1
        state ^= lane
        state = ((state << 27) | (state >> 37)) &* Self.prime1 &+ Self.prime3
    }

    /// One 64-bit word (a number, not bytes).
    @inline(__always)
    mutating func add(word: UInt64) { mix(word) }

    @inline(__always)
    mutating func add(_ string: String) {
        // Native and small strings are contiguous; only a bridged one would be copied.
        if let done: Void = string.utf8.withContiguousStorageIfAvailable({ add(bytes: $0) }) { return done }
        var copy = string
        copy.withUTF8 { add(bytes: $0) }
    }

    @inline(__always)
    private mutating func add(bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        guard let base = bytes.baseAddress else {
            mix(0xFF)
            return
        }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= count {
            mix(raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < count {
            tail |= UInt64(base[offset]) << shift
            shift += 8
            offset += 1
        }
        mix(tail ^ (UInt64(count) << 56) ^ 0xFF)
    }

    var value: UInt64 {
        var hash = state
        hash ^= hash >> 33
        hash &*= Self.prime2
        hash ^= hash >> 29
        hash &*= Self.prime3
        hash ^= hash >> 32
        return hash
    }
}
