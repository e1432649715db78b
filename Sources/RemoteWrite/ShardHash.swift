/// A hash of a series' label set that is the same in every process (Swift's `Hasher`
/// is seeded per process), so a series keeps its shard, and thus its place in the
/// on-disk queue's order, across restarts: 64-bit FNV-1a over names and values with
/// a separator byte that cannot occur in UTF-8.
enum ShardHash {
    static func hash(_ labels: [(name: String, value: String)]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        for label in labels {
            for byte in label.name.utf8 { mix(byte) }
            mix(0xff)
            for byte in label.value.utf8 { mix(byte) }
            mix(0xff)
        }
        return hash
    }

    static func hash(_ text: String) -> UInt64 {
        hash([(text, "")])
    }
}
