/// What the encoder remembers about one series between collections: its full label
/// set (interned, sorted, with `__name__` and the external labels), its shard, and
/// when it was last seen, for de-duplication, ordering and staleness markers.
final class SeriesEntry {
    /// (name, value) id pairs, sorted bytewise by name.
    var labelIDs: [UInt32]
    let shard: Int
    var lastSeenCycle: UInt64 = 0
    var lastTimestamp: Int64 = .min
    var metadata: FamilyMetadata

    init(labelIDs: [UInt32], shard: Int, metadata: FamilyMetadata) {
        self.labelIDs = labelIDs
        self.shard = shard
        self.metadata = metadata
    }

    var labelCount: Int { labelIDs.count / 2 }
}
