import Exposition

/// Numbers the label sets of a collection, so that finding a sample's series needs no
/// hashing of its label strings in the common case.
///
/// The families of one object (an IPVS service or real server) share one `Labels`
/// storage and list their samples in the same order, so, as ``RenderedLabelCache`` does
/// for text, the index keeps per family shape (its size and its first sample's label
/// count, so that an info family between the counters of the same objects keeps positions
/// of its own) the storage met at each sample position:
/// the same storage at the same position again is the same set, found without looking at
/// it. The storages of the last collection stay retained in those positions, so their
/// addresses cannot be reused meanwhile and a same storage is the same set in the next
/// collection too. A new storage at a position (a new collection builds new label sets)
/// is compared with the set that was there last time, which is what it usually holds;
/// only when it differs (services added, removed or reordered) is it hashed and looked
/// up by content (``SeriesKey`` without a name); a table from storage address to number,
/// filled as sets are looked up in this collection, finds such a storage again at other
/// positions.
///
/// Numbers are never reused: when the remembered sets are forgotten (see
/// ``endCollection()``), a set met again gets a new number, so keys built from numbers
/// cannot mix up two sets.
final class LabelSetIndex {
    private struct Slot {
        var identity: UnsafeRawPointer?
        var id: UInt32 = 0
        /// The collection that last met `identity` here.
        var cycle: UInt64 = 0
        /// The set at the position, retained so that `identity` stays its address.
        var labels: Labels?
    }

    /// The number of each set met, by content.
    private var records: [SeriesKey: UInt32] = [:]
    private let identities = IdentityTable()
    private var slotsByShape: [Int: [Slot]] = [:]
    /// Read and written once per sample: no dynamic exclusivity checks (the index has one
    /// user, the encoder, which runs under the sender's lock).
    @exclusivity(unchecked) private var slots: [Slot] = []
    private var nextID: UInt32 = 0
    /// The family shapes of this collection (positions of other shapes are dropped at its end).
    private var shapesThisCycle: Set<Int> = []
    /// The shape of the family begun last.
    private var shape = 0
    @exclusivity(unchecked) private var cycle: UInt64 = 0
    /// Label sets met in this collection (a set met at positions of two shapes counts twice).
    private var metThisCycle = 0

    /// Where a sample keeps its label storage reference (see ``RenderedLabelCache``).
    private static let labelsOffset = MemoryLayout<Sample>.offset(of: \Sample.labels)!

    /// How many label sets are remembered.
    var count: Int { records.count }

    /// Whether numbering is about to run out (after 4 billion label sets): the caller
    /// then forgets everything keyed by numbers and calls ``reset()``.
    var isExhausted: Bool { nextID > UInt32.max - (1 << 24) }

    /// Starts a collection. The positions of the last one stay, as the guess for this one.
    func beginCollection(_ cycle: UInt64) {
        self.cycle = cycle
        metThisCycle = 0
        shapesThisCycle.removeAll(keepingCapacity: true)
        slots = []
        identities.removeAll()
    }

    /// Starts a family of `sampleCount` samples, the first with `labelCount` labels.
    func beginFamily(sampleCount: Int, labelCount: Int) {
        shape = sampleCount << 8 | min(labelCount, 255)
        shapesThisCycle.insert(shape)
        slots =
            slotsByShape.removeValue(forKey: shape)
            ?? Array(repeating: Slot(identity: nil, id: 0, cycle: 0, labels: nil), count: sampleCount)
    }

    /// Ends the family begun last, keeping its positions for the next family of its shape.
    func endFamily() {
        if !slots.isEmpty { slotsByShape[shape] = slots }
        slots = []
    }

    /// The number of the label set of `sample`, the family's sample at `position`.
    @inline(__always)
    func id(of sample: UnsafePointer<Sample>, at position: Int) -> UInt32 {
        let identity = UnsafeRawPointer(sample).load(fromByteOffset: Self.labelsOffset, as: UnsafeRawPointer.self)
        if slots[position].identity == identity {
            if slots[position].cycle != cycle {
                // The same storage as in the last collection (kept alive here).
                slots[position].cycle = cycle
                metThisCycle += 1
            }
            return slots[position].id
        }
        let id: UInt32
        if let previous = slots[position].labels, Self.same(previous, sample.pointee.labels) {
            // A new storage with what the position held last time: the usual case.
            id = slots[position].id
            metThisCycle += 1
        } else if let known = identities.find(identity) {
            id = known
        } else {
            id = resolve(sample.pointee.labels)
            identities.insert(identity, id)
            metThisCycle += 1
        }
        slots[position] = Slot(identity: identity, id: id, cycle: cycle, labels: sample.pointee.labels)
        return id
    }

    /// Whether two label sets hold the same pairs, comparing the strings in place (no
    /// copies of the pairs, no reference counting per pair).
    private static func same(_ first: Labels, _ second: Labels) -> Bool {
        first.pairs.withUnsafeBufferPointer { first in
            second.pairs.withUnsafeBufferPointer { second in
                guard first.count == second.count else { return false }
                if first.baseAddress == second.baseAddress { return true }
                for index in first.indices
                where first[index].name != second[index].name || first[index].value != second[index].value {
                    return false
                }
                return true
            }
        }
    }

    private func resolve(_ labels: Labels) -> UInt32 {
        let key = SeriesKey(name: "", labels: labels)
        if let known = records[key] { return known }
        let id = nextID
        nextID += 1
        records[key] = id
        return id
    }

    /// Ends the collection. When the remembered sets have grown to over twice those met
    /// in it (services and real servers came and went), they are all forgotten, with the
    /// positions that hold their numbers: the next collection numbers its sets afresh
    /// (by content, as the first one did), and no set that is gone stays remembered.
    func endCollection() {
        slots = []
        identities.removeAll()
        if records.count > 2 * metThisCycle + 1024 {
            records = [:]
            slotsByShape.removeAll()
        }
        if slotsByShape.count > shapesThisCycle.count {
            let shapes = shapesThisCycle
            slotsByShape = slotsByShape.filter { shapes.contains($0.key) }
        }
    }

    /// Forgets every set and starts numbering again.
    func reset() {
        records.removeAll()
        slotsByShape.removeAll()
        slots = []
        identities.removeAll()
        nextID = 0
    }
}
