#if canImport(Glibc)
    import Glibc
#endif

/// The label sets series are sent with, each kept once and shared by its series: for an
/// IPVS service or real server, the 15 to 20 families of the object send one set with
/// their own `__name__` pair put in its sorted place.
///
/// A set is kept twice, flat in two pools: as interned (name, value) id pairs, which
/// 2.0's symbol refs are made from, and as 1.0's `TimeSeries.labels` fields, which the
/// 1.0 encoder copies around the series' `__name__` field instead of encoding every
/// label of every sample again. A set may also hold its own `__name__` and get nothing
/// put in (``nameSlot`` -1).
///
/// Sets are only added, each content once: adding a set equal to one kept (same pairs,
/// same `__name__` slot) returns that one, so a series is known exactly by its name id and
/// set number (``CollectionEncoder``'s table of series). ``CollectionEncoder`` rebuilds
/// the store with the sets of the live series when many series have gone
/// (``copy(_:from:remap:)``).
final class LabelSetStore {
    /// Per set: where its ids start in ``ids``, and how many (two per pair).
    @exclusivity(unchecked) private(set) var idStart = RawColumn<Int>()
    @exclusivity(unchecked) private(set) var idCount = RawColumn<Int32>()
    /// Per set: the id index where a series' (`__name__`, name) pair goes; -1 when the
    /// set has its own `__name__`.
    @exclusivity(unchecked) private(set) var nameSlot = RawColumn<Int32>()
    /// Per set: where its 1.0 label fields start in ``bytes``, how many bytes, and the
    /// offset in them where the `__name__` field goes.
    @exclusivity(unchecked) private(set) var byteStart = RawColumn<Int>()
    @exclusivity(unchecked) private(set) var byteCount = RawColumn<Int32>()
    @exclusivity(unchecked) private(set) var nameByteOffset = RawColumn<Int32>()
    /// The id pool and the byte pool.
    @exclusivity(unchecked) private(set) var ids = RawColumn<UInt32>(capacity: 1024)
    @exclusivity(unchecked) private(set) var bytes = RawColumn<UInt8>(capacity: 16 * 1024)
    private(set) var count = 0
    private var idTotal = 0
    private var byteTotal = 0
    /// Sets by a hash of their content, to find an equal one before adding; a set whose
    /// hash an unequal set already had (astronomically rare) is kept in `collided`, so
    /// finding stays exact.
    private var setsByHash: [UInt64: UInt32] = [:]
    private var collided: [UInt64: [UInt32]] = [:]
    /// Reused for the ids of a set being added.
    private var scratch: [UInt32] = []

    deinit {
        for column in [idStart, byteStart] { column.deallocate() }
        for column in [idCount, nameSlot, byteCount, nameByteOffset] { column.deallocate() }
        ids.deallocate()
        bytes.deallocate()
    }

    /// Adds a set of `pairs` (complete and sorted bytewise by name, empty names and
    /// values left out) and returns its number. `nameIndex`: the pair index where a
    /// series' `__name__` pair goes (the set has none), or nil when `pairs` has it.
    func add(_ pairs: [(name: String, value: String)], nameIndex: Int?, strings: StringInterner) -> UInt32 {
        let slot = nameIndex.map { Int32(2 * $0) } ?? -1
        scratch.removeAll(keepingCapacity: true)
        for pair in pairs {
            scratch.append(strings.intern(pair.name))
            scratch.append(strings.intern(pair.value))
        }
        let hash = Self.contentHash(scratch, nameSlot: slot)
        if let equal = find(scratch, nameSlot: slot, hash: hash) { return equal }
        let set = beginSet()
        register(set, hash: hash)
        ids.reserve(idTotal + 2 * pairs.count, keeping: idTotal)
        idStart[set] = idTotal
        idCount[set] = Int32(2 * pairs.count)
        nameSlot[set] = slot
        for id in scratch {
            ids[idTotal] = id
            idTotal += 1
        }
        // The 1.0 `Label` fields, written from the strings just interned, as the encoders
        // write a series' own `__name__` field.
        let setIDs = UnsafeBufferPointer(start: ids.base + idStart[set], count: 2 * pairs.count)
        strings.withStrings { pointers, lengths in
            func labelSize(_ pair: Int) -> Int {
                WireCursor.stringFieldSize(lengths[Int(setIDs[pair])])
                    + WireCursor.stringFieldSize(lengths[Int(setIDs[pair + 1])])
            }
            var size = 0
            for pair in stride(from: 0, to: setIDs.count, by: 2) {
                size += 1 + WireCursor.varintSize(labelSize(pair)) + labelSize(pair)
            }
            bytes.reserve(byteTotal + size, keeping: byteTotal)
            let start = bytes.base + byteTotal
            var cursor = WireCursor(start)
            var nameOffset = size
            for pair in stride(from: 0, to: setIDs.count, by: 2) {
                if pair == 2 * (nameIndex ?? -1) { nameOffset = cursor.position - start }
                cursor.byte(WireCursor.tag(1, 2))  // TimeSeries.labels
                cursor.varint(labelSize(pair))
                cursor.stringField(1, setIDs[pair], pointers: pointers, lengths: lengths)  // Label.name
                cursor.stringField(2, setIDs[pair + 1], pointers: pointers, lengths: lengths)  // Label.value
            }
            byteStart[set] = byteTotal
            byteCount[set] = Int32(size)
            nameByteOffset[set] = Int32(nameOffset)
            byteTotal += size
        }
        return set
    }

    /// Copies set `set` of `other` into this store, its ids mapped through `remap` (when
    /// the interner is rebuilt), and returns its number here.
    func copy(_ set: UInt32, from other: LabelSetStore, remap: (UInt32) -> UInt32) -> UInt32 {
        let copied = beginSet()
        let pairIDs = Int(other.idCount[set])
        let start = other.idStart[set]
        let copiedIDs = (0..<pairIDs).map { remap(other.ids[start + $0]) }
        register(copied, hash: Self.contentHash(copiedIDs, nameSlot: other.nameSlot[set]))
        ids.reserve(idTotal + pairIDs, keeping: idTotal)
        idStart[copied] = idTotal
        idCount[copied] = Int32(pairIDs)
        nameSlot[copied] = other.nameSlot[set]
        for offset in 0..<pairIDs { ids[idTotal + offset] = copiedIDs[offset] }
        idTotal += pairIDs
        nameByteOffset[copied] = other.nameByteOffset[set]
        let fields = UnsafeBufferPointer(
            start: other.bytes.base + other.byteStart[set], count: Int(other.byteCount[set]))
        appendBytes(fields, to: copied)
        return copied
    }

    /// The kept set with these ids and `__name__` slot, if any.
    private func find(_ setIDs: [UInt32], nameSlot slot: Int32, hash: UInt64) -> UInt32? {
        func equal(_ set: UInt32) -> Bool {
            guard nameSlot[set] == slot, Int(idCount[set]) == setIDs.count else { return false }
            let start = ids.base + idStart[set]
            return setIDs.withUnsafeBufferPointer { memcmp(start, $0.baseAddress!, 4 * $0.count) == 0 }
        }
        if let set = setsByHash[hash], equal(set) { return set }
        return collided[hash]?.first(where: equal)
    }

    private func register(_ set: UInt32, hash: UInt64) {
        if setsByHash[hash] == nil {
            setsByHash[hash] = set
        } else {
            collided[hash, default: []].append(set)
        }
    }

    private static func contentHash(_ setIDs: [UInt32], nameSlot: Int32) -> UInt64 {
        var hasher = SeriesHash()
        hasher.add(word: UInt64(UInt32(bitPattern: nameSlot)) << 32 | UInt64(setIDs.count))
        for id in setIDs { hasher.add(word: UInt64(id)) }
        return hasher.value
    }

    private func beginSet() -> UInt32 {
        let set = count
        if set >= idStart.capacity {
            let needed = set + 1
            idStart.reserve(needed, keeping: count)
            idCount.reserve(needed, keeping: count)
            nameSlot.reserve(needed, keeping: count)
            byteStart.reserve(needed, keeping: count)
            byteCount.reserve(needed, keeping: count)
            nameByteOffset.reserve(needed, keeping: count)
        }
        count += 1
        return UInt32(set)
    }

    private func appendBytes(_ fields: UnsafeBufferPointer<UInt8>, to set: UInt32) {
        bytes.reserve(byteTotal + fields.count, keeping: byteTotal)
        byteStart[set] = byteTotal
        byteCount[set] = Int32(fields.count)
        if let source = fields.baseAddress { (bytes.base + byteTotal).update(from: source, count: fields.count) }
        byteTotal += fields.count
    }
}
