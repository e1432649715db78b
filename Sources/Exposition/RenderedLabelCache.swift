/// The rendered text of label sets (`{a="1",b="2"}`) met earlier in one render call,
/// found again by the identity of their storage.
///
/// The collector builds one `Labels` per IPVS service or real server and shares it
/// across all families, and those families list their samples in the same order. So the
/// cache keeps, per family size, the label set seen at each sample position: when the
/// same storage is at the same position again, its bytes are copied instead of rendering
/// and escaping every label once more. Positions are visited in order, so the lookups
/// stream through memory. The identity is safe as a key because the families being
/// rendered keep every label set alive for the whole call. Labels that are not shared
/// just miss and render as usual.
struct RenderedLabelCache {
    private struct Slot {
        var identity: UnsafeRawPointer?
        var offset: Int32 = 0
        var count: Int32 = 0
    }

    /// Above this the byte store starts over, so unshared labels cannot grow it without bound.
    private static let byteLimit = 32 << 20

    private var slotsBySampleCount: [Int: [Slot]] = [:]
    private var slots: [Slot] = []
    private var bytes: [UInt8] = []

    /// Starts a family of `sampleCount` samples.
    mutating func beginFamily(sampleCount: Int) {
        slots = slotsBySampleCount.removeValue(forKey: sampleCount) ?? Array(repeating: Slot(), count: sampleCount)
    }

    /// Ends the family started last, keeping its positions for the next family of its size.
    mutating func endFamily() {
        if !slots.isEmpty { slotsBySampleCount[slots.count] = slots }
        slots = []
    }

    /// Where a sample keeps its label storage reference, read as a plain address so a
    /// cache hit neither retains nor even touches the storage (`Labels` is a struct
    /// holding one array, and an array is one reference to its storage).
    private static let labelsOffset = MemoryLayout<Sample>.offset(of: \Sample.labels)!

    /// Appends the rendered labels of `sample`, the family's sample at `position`
    /// (nothing for an empty set).
    @inline(__always)
    mutating func appendLabels(of sample: UnsafePointer<Sample>, at position: Int, into buffer: inout [UInt8]) {
        let identity = UnsafeRawPointer(sample).load(fromByteOffset: Self.labelsOffset, as: UnsafeRawPointer.self)
        let slot = slots[position]
        if slot.identity == identity {
            bytes.withUnsafeBufferPointer { stored in
                buffer.append(
                    contentsOf: UnsafeBufferPointer(
                        start: stored.baseAddress! + Int(slot.offset), count: Int(slot.count)))
            }
            return
        }
        let pairs = sample.pointee.labels.pairs
        guard !pairs.isEmpty else { return }
        if bytes.count > Self.byteLimit {
            bytes.removeAll(keepingCapacity: true)
            slotsBySampleCount.removeAll()
            for index in slots.indices { slots[index].identity = nil }
        }
        let start = bytes.count
        ExpositionRenderer.appendLabels(pairs, into: &bytes)
        slots[position] = Slot(identity: identity, offset: Int32(start), count: Int32(bytes.count - start))
        bytes.withUnsafeBufferPointer { stored in
            buffer.append(
                contentsOf: UnsafeBufferPointer(start: stored.baseAddress! + start, count: stored.count - start))
        }
    }
}
