/// What the encoder remembers about one series between collections: its full label
/// set (interned, sorted, with `__name__` and the external labels), its shard, and
/// when it was last seen, for de-duplication, ordering and staleness markers.
///
/// The hot fields opt out of dynamic exclusivity checks: an entry is only ever touched
/// by the thread that holds the encoder's lock, or by the one batch worker whose batch
/// it is in (a series is in one batch per collection).
final class SeriesEntry {
    /// (name, value) id pairs, sorted bytewise by name.
    @exclusivity(unchecked) var labelIDs: [UInt32]
    let shard: Int
    @exclusivity(unchecked) var lastSeenCycle: UInt64 = 0
    @exclusivity(unchecked) var lastTimestamp: Int64 = .min
    @exclusivity(unchecked) var metadata: FamilyMetadata
    /// The 1.0 label bytes of the series' label set, shared with the set's other series;
    /// nil when the series has none (made by write relabel rules): its labels are then
    /// written from `labelIDs`.
    @exclusivity(unchecked) var v1Labels: EncodedLabelSet?

    init(labelIDs: [UInt32], shard: Int, metadata: FamilyMetadata) {
        self.labelIDs = labelIDs
        self.shard = shard
        self.metadata = metadata
    }

    var labelCount: Int { labelIDs.count / 2 }
}
