/// What the encoder remembers about every series between collections, one row per
/// series in columns of plain values (see ``RawColumn``): its label set and name (how
/// it is sent), its shard, its family's metadata, and when it was last seen and with
/// which timestamp (for de-duplication, ordering and staleness markers).
///
/// Rows are numbered; a removed row's number is reused by a later series. The batch
/// workers read the columns while a collection's batches are encoded; rows are only
/// added and removed by the encoder in between, under the sender's lock.
final class SeriesTable {
    /// The set of ``LabelSetStore`` the series is sent with; ``freeRow`` for a free row.
    @exclusivity(unchecked) private(set) var labelSet = RawColumn<UInt32>()
    /// The interned id of the series' name (its `__name__` value) when its set has no
    /// `__name__` of its own.
    @exclusivity(unchecked) private(set) var nameID = RawColumn<UInt32>()
    @exclusivity(unchecked) private(set) var shard = RawColumn<UInt32>()
    @exclusivity(unchecked) private(set) var lastSeenCycle = RawColumn<UInt64>()
    @exclusivity(unchecked) private(set) var lastTimestamp = RawColumn<Int64>()
    @exclusivity(unchecked) private(set) var metadata = RawColumn<FamilyMetadata>()
    /// Each row's key in the encoder's table of series by labels (to remove it there).
    private var keys: [SeriesKey?] = []
    private var freeRows: [UInt32] = []
    /// Rows in use.
    private(set) var count = 0

    static let freeRow = UInt32.max

    deinit {
        for column in [labelSet, nameID, shard] { column.deallocate() }
        lastSeenCycle.deallocate()
        lastTimestamp.deallocate()
        metadata.deallocate()
    }

    /// Rows ever made (used or free): every row number is below it.
    var rowLimit: Int { keys.count }

    /// Adds a series, never seen, and returns its row.
    func add(key: SeriesKey, labelSet set: UInt32, nameID name: UInt32, shard: Int, metadata family: FamilyMetadata)
        -> UInt32
    {
        let row: UInt32
        if let reused = freeRows.popLast() {
            row = reused
            keys[Int(row)] = key
        } else {
            row = UInt32(keys.count)
            let needed = keys.count + 1
            if needed > labelSet.capacity {
                let kept = keys.count
                labelSet.reserve(needed, keeping: kept)
                nameID.reserve(needed, keeping: kept)
                self.shard.reserve(needed, keeping: kept)
                lastSeenCycle.reserve(needed, keeping: kept)
                lastTimestamp.reserve(needed, keeping: kept)
                metadata.reserve(needed, keeping: kept)
            }
            keys.append(key)
        }
        labelSet[row] = set
        nameID[row] = name
        self.shard[row] = UInt32(shard)
        lastSeenCycle[row] = 0
        lastTimestamp[row] = .min
        metadata[row] = family
        count += 1
        return row
    }

    /// Frees `row` and returns its key.
    func remove(_ row: UInt32) -> SeriesKey {
        let key = keys[Int(row)]!
        keys[Int(row)] = nil
        labelSet[row] = Self.freeRow
        freeRows.append(row)
        count -= 1
        return key
    }

    /// Points every used row at new label sets and interned ids (after the encoder
    /// rebuilt its store and interner).
    func remap(labelSet newSet: (UInt32) -> UInt32, id newID: (UInt32) -> UInt32) {
        for row in 0..<rowLimit where labelSet[row] != Self.freeRow {
            labelSet[row] = newSet(labelSet[row])
            nameID[row] = newID(nameID[row])
            var family = metadata[row]
            family.nameID = newID(family.nameID)
            family.helpID = newID(family.helpID)
            family.unitID = newID(family.unitID)
            metadata[row] = family
        }
    }
}
