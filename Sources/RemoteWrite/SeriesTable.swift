/// What the encoder remembers about every series between collections, one row per
/// series in columns of plain values (see ``RawColumn``): its label set and name (how
/// it is sent), its shard, and its ``RowState`` (when it was last seen and with which
/// timestamp, for de-duplication, ordering and staleness markers; the sample it sends in
/// this collection; its family, whose metadata is kept once per family).
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
    /// What a collection reads and writes per sample, together in one cache line half.
    @exclusivity(unchecked) private(set) var state = RawColumn<RowState>()
    /// The metadata of each family, by the family number in ``RowState/family``.
    @exclusivity(unchecked) private(set) var families = RawColumn<FamilyMetadata>()
    private var familyCount = 0
    /// The used rows ordered by label set (the series of one object together), valid
    /// while ``orderIsCurrent``.
    private var order: [UInt32] = []
    private var orderIsCurrent = false
    /// Rows added since the rows were last renumbered in set order.
    private var addedSinceRenumbering = 0
    /// Rows ever made (used or free).
    private var rowsMade = 0
    private var freeRows: [UInt32] = []
    /// Rows in use.
    private(set) var count = 0

    static let freeRow = UInt32.max

    deinit {
        for column in [labelSet, nameID, shard] { column.deallocate() }
        state.deallocate()
        families.deallocate()
    }

    /// Rows ever made (used or free): every row number is below it.
    var rowLimit: Int { rowsMade }

    /// Adds a series, never seen, and returns its row.
    func add(labelSet set: UInt32, nameID name: UInt32, shard: Int, family: UInt32) -> UInt32 {
        let row: UInt32
        if let reused = freeRows.popLast() {
            row = reused
        } else {
            row = UInt32(rowsMade)
            let needed = rowsMade + 1
            if needed > labelSet.capacity {
                let kept = rowsMade
                labelSet.reserve(needed, keeping: kept)
                nameID.reserve(needed, keeping: kept)
                self.shard.reserve(needed, keeping: kept)
                state.reserve(needed, keeping: kept)
            }
            rowsMade = needed
        }
        labelSet[row] = set
        nameID[row] = name
        self.shard[row] = UInt32(shard)
        state[row] = RowState(family: family)
        count += 1
        orderIsCurrent = false
        addedSinceRenumbering += 1
        return row
    }

    /// Frees `row`.
    func remove(_ row: UInt32) {
        labelSet[row] = Self.freeRow
        freeRows.append(row)
        count -= 1
        orderIsCurrent = false
    }

    /// The metadata of the family of `row`.
    @inline(__always)
    func metadata(of row: UInt32) -> FamilyMetadata { families[state[row].family] }

    /// Sets the metadata of family number `family` (made by the encoder, from 0 up).
    func setFamily(_ family: UInt32, _ metadata: FamilyMetadata) {
        if Int(family) >= familyCount {
            families.reserve(Int(family) + 1, keeping: familyCount)
            familyCount = Int(family) + 1
        }
        families[family] = metadata
    }

    /// Calls `body` with every used row, the rows of one label set after each other, in
    /// the order of the sets. 2.0 requests then hold the series of an object side by side
    /// and encode the set's label refs once for them (1.0 requests keep the collection's
    /// order: a family's series side by side compress to about 14% fewer bytes there). The
    /// order is a counting sort by set, redone only after rows were added or removed.
    func forEachRowBySet(setCount: Int, _ body: (UInt32) -> Void) {
        if !orderIsCurrent {
            var starts = [Int](repeating: 0, count: setCount + 1)
            for row in 0..<rowLimit where labelSet[row] != Self.freeRow { starts[Int(labelSet[row]) + 1] += 1 }
            for set in 0..<setCount { starts[set + 1] += starts[set] }
            order = [UInt32](repeating: 0, count: count)
            for row in 0..<rowLimit where labelSet[row] != Self.freeRow {
                let set = Int(labelSet[row])
                order[starts[set]] = UInt32(row)
                starts[set] += 1
            }
            orderIsCurrent = true
        }
        order.withUnsafeBufferPointer { order in
            for row in order { body(row) }
        }
    }

    /// Whether enough rows were added (an eighth of them, as in the first collection) to
    /// renumber the rows in set order (``renumberBySet(setCount:)``).
    var wantsRenumbering: Bool { addedSinceRenumbering > 0 && addedSinceRenumbering * 8 >= count }

    /// Renumbers the used rows in set order, without holes, so that going through the
    /// rows by set (every collection) reads every column front to back. Returns each old
    /// row's new number (``freeRow`` for a free one): the caller renumbers its references.
    func renumberBySet(setCount: Int) -> [UInt32] {
        var newRows = [UInt32](repeating: Self.freeRow, count: rowLimit)
        var next: UInt32 = 0
        forEachRowBySet(setCount: setCount) { row in
            newRows[Int(row)] = next
            next += 1
        }
        func permute<Element>(_ column: RawColumn<Element>) {
            let copy = UnsafeMutablePointer<Element>.allocate(capacity: count)
            for (old, new) in newRows.enumerated() where new != Self.freeRow { copy[Int(new)] = column[old] }
            column.base.update(from: copy, count: count)
            copy.deallocate()
        }
        permute(labelSet)
        permute(nameID)
        permute(shard)
        permute(state)
        rowsMade = count
        freeRows = []
        order = Array(0..<UInt32(count))
        orderIsCurrent = true
        addedSinceRenumbering = 0
        return newRows
    }

    /// Points every used row at new label sets and interned ids, and the families at new
    /// ids (after the encoder rebuilt its store and interner).
    func remap(labelSet newSet: (UInt32) -> UInt32, id newID: (UInt32) -> UInt32) {
        for row in 0..<rowLimit where labelSet[row] != Self.freeRow {
            labelSet[row] = newSet(labelSet[row])
            nameID[row] = newID(nameID[row])
        }
        for family in 0..<familyCount {
            var metadata = families[family]
            metadata.nameID = newID(metadata.nameID)
            metadata.metadataNameID = newID(metadata.metadataNameID)
            metadata.helpID = newID(metadata.helpID)
            metadata.unitID = newID(metadata.unitID)
            families[family] = metadata
        }
        orderIsCurrent = false
    }
}

/// What a collection reads and writes per sample of a series (32 bytes).
struct RowState: BitwiseCopyable {
    /// The collection that last met the series.
    var lastSeenCycle: UInt64 = 0
    /// The timestamp of the last sample sent (or of this collection's, once accepted).
    var lastTimestamp: Int64 = .min
    /// The value to send in collection ``pendingCycle`` (a sample or a staleness marker),
    /// at ``lastTimestamp``.
    var pendingValue: Double = 0
    /// The low 32 bits of the collection whose value is pending (0: none yet).
    var pendingCycle: UInt32 = 0
    /// The series' family number (``SeriesTable/families``).
    var family: UInt32

    init(family: UInt32) {
        self.family = family
    }

    /// Marks the series to be sent in collection `cycle` with `value` at `timestamp`.
    @inline(__always)
    mutating func setPending(cycle: UInt64, value: Double, timestamp: Int64) {
        pendingCycle = UInt32(truncatingIfNeeded: cycle)
        pendingValue = value
        lastTimestamp = timestamp
    }

    @inline(__always)
    func isPending(in cycle: UInt64) -> Bool { pendingCycle == UInt32(truncatingIfNeeded: cycle) }
}
