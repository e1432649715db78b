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
    /// The remote-write 1.0 `TimeSeries.labels` fields of the series, encoded the first
    /// time the series is sent over 1.0 and copied as they are from then on. Empty until
    /// then (a series always has at least `__name__`). Ids may be renumbered when the
    /// interner is compacted; the strings, and so these bytes, stay the same.
    @exclusivity(unchecked) var encodedV1Labels: [UInt8] = []

    init(labelIDs: [UInt32], shard: Int, metadata: FamilyMetadata) {
        self.labelIDs = labelIDs
        self.shard = shard
        self.metadata = metadata
    }

    var labelCount: Int { labelIDs.count / 2 }
}
