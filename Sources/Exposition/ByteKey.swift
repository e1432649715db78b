#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A dictionary key for a run of bytes inside the document being parsed, so a repeated
/// label section (`{service="…",real="…"}` appears once per family) is looked up by its
/// raw text instead of being decoded again. It points into the caller's buffer and is
/// only valid while that buffer is pinned (inside one parse).
struct ByteKey: Hashable {
    let start: UnsafePointer<UInt8>
    let count: Int
    let hash: UInt64

    init(_ start: UnsafePointer<UInt8>, count: Int) {
        self.start = start
        self.count = count
        self.hash = ByteKey.hash(start, count: count)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    static func == (lhs: ByteKey, rhs: ByteKey) -> Bool {
        lhs.hash == rhs.hash && lhs.count == rhs.count && memcmp(lhs.start, rhs.start, lhs.count) == 0
    }

    /// A fast 64-bit mix of the bytes, eight at a time; the dictionary's own hasher then
    /// seeds it, so the quality needed here is only "few collisions", not DoS resistance.
    static func hash(_ start: UnsafePointer<UInt8>, count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(start)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        var offset = 0
        while offset + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            state = (state ^ word) &* 0xFF51_AFD7_ED55_8CCD
            state ^= state >> 29
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < count {
            tail |= UInt64(start[offset]) << shift
            shift += 8
            offset += 1
        }
        state = (state ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        state ^= state >> 32
        return state
    }
}
