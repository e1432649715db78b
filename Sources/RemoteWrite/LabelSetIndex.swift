import Exposition

/// Numbers the label sets of a collection, so that finding a sample's series needs no
/// hashing of its label strings in the common case.
///
/// A label set is found by its content (``SeriesKey`` without a name: one hash of its
/// bytes) the first time it is met in a collection; its number stays the same from one
/// collection to the next as long as the set is seen. Within a collection, the families
/// of one object (an IPVS service or real server) share one `Labels` storage and list
/// their samples in the same order, so, as ``RenderedLabelCache`` does for text, the
/// index keeps per family size the storage met at each sample position: the same
/// storage at the same position again is the same set, found without looking at it.
/// When the position does not match (families of one size with different label sets in
/// between), a table from storage address to number, filled as sets are met in this
/// collection, finds it without hashing the labels either. Storage addresses are only
/// compared within one collection (whose families keep them alive), never across
/// collections.
///
/// Numbers are never reused: a set that was not seen for a while is forgotten and gets
/// a new number if it comes back, so keys built from numbers cannot mix up two sets.
final class LabelSetIndex {
    private struct Record {
        var id: UInt32
        var lastSeenCycle: UInt64
    }

    private struct Slot {
        var identity: UnsafeRawPointer?
        var id: UInt32 = 0
    }

    private var records: [SeriesKey: Record] = [:]
    private let identities = IdentityTable()
    private var slotsBySampleCount: [Int: [Slot]] = [:]
    /// Read and written once per sample: no dynamic exclusivity checks (the index has one
    /// user, the encoder, which runs under the sender's lock).
    @exclusivity(unchecked) private var slots: [Slot] = []
    private var nextID: UInt32 = 0
    private var cycle: UInt64 = 0
    private var seenThisCycle = 0

    /// Where a sample keeps its label storage reference (see ``RenderedLabelCache``).
    private static let labelsOffset = MemoryLayout<Sample>.offset(of: \Sample.labels)!

    /// How many label sets are remembered.
    var count: Int { records.count }

    /// Whether numbering is about to run out (after 4 billion label sets): the caller
    /// then forgets everything keyed by numbers and calls ``reset()``.
    var isExhausted: Bool { nextID > UInt32.max - (1 << 24) }

    /// Starts a collection: identities of the last one mean nothing now.
    func beginCollection(_ cycle: UInt64) {
        self.cycle = cycle
        seenThisCycle = 0
        slotsBySampleCount.removeAll(keepingCapacity: true)
        slots = []
        identities.removeAll()
    }

    /// Starts a family of `sampleCount` samples.
    func beginFamily(sampleCount: Int) {
        slots = slotsBySampleCount.removeValue(forKey: sampleCount) ?? Array(repeating: Slot(), count: sampleCount)
    }

    /// Ends the family begun last, keeping its positions for the next family of its size.
    func endFamily() {
        if !slots.isEmpty { slotsBySampleCount[slots.count] = slots }
        slots = []
    }

    /// The number of the label set of `sample`, the family's sample at `position`.
    @inline(__always)
    func id(of sample: UnsafePointer<Sample>, at position: Int) -> UInt32 {
        let identity = UnsafeRawPointer(sample).load(fromByteOffset: Self.labelsOffset, as: UnsafeRawPointer.self)
        if slots[position].identity == identity { return slots[position].id }
        let id: UInt32
        if let known = identities.find(identity) {
            id = known
        } else {
            id = resolve(sample.pointee.labels)
            identities.insert(identity, id)
        }
        slots[position] = Slot(identity: identity, id: id)
        return id
    }

    private func resolve(_ labels: Labels) -> UInt32 {
        let key = SeriesKey(name: "", labels: labels)
        if let index = records.index(forKey: key) {
            if records.values[index].lastSeenCycle != cycle {
                records.values[index].lastSeenCycle = cycle
                seenThisCycle += 1
            }
            return records.values[index].id
        }
        let id = nextID
        nextID += 1
        records[key] = Record(id: id, lastSeenCycle: cycle)
        seenThisCycle += 1
        return id
    }

    /// Ends the collection: forgets the sets not seen in it once they are many.
    func endCollection() {
        slotsBySampleCount.removeAll()
        slots = []
        identities.removeAll()
        let unseen = records.count - seenThisCycle
        if unseen > 1024 && unseen > records.count / 4 {
            let cycle = self.cycle
            records = records.filter { $0.value.lastSeenCycle == cycle }
        }
    }

    /// Forgets every set and starts numbering again.
    func reset() {
        records.removeAll()
        slotsBySampleCount.removeAll()
        slots = []
        identities.removeAll()
        nextID = 0
    }
}
