/// A growable C array of a trivial type: one column of the encoder's series and label
/// set tables (``SeriesTable``, ``LabelSetStore``, ``InputTable``).
///
/// The tables hold hundreds of thousands of rows that every collection reads and writes
/// once per sample; as columns of plain values instead of an object per row, that costs
/// no reference counting, no uniqueness or exclusivity checks and a fraction of the
/// memory. The owner calls ``deallocate()``; a copy of a column is the same storage.
struct RawColumn<Element: BitwiseCopyable>: @unchecked Sendable {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(capacity: Int = 16) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    @inline(__always)
    subscript(index: UInt32) -> Element {
        get { base[Int(index)] }
        nonmutating set { base[Int(index)] = newValue }
    }

    /// Makes room for `needed` elements, keeping the first `kept`.
    mutating func reserve(_ needed: Int, keeping kept: Int) {
        guard needed > capacity else { return }
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        grown.initialize(from: base, count: min(kept, capacity))
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    func deallocate() { base.deallocate() }
}
