/// Raw memory to assemble one exposition line in, so that a line of a dozen pieces is
/// appended to the output array once instead of a dozen times (each `Array.append`
/// checks capacity and uniqueness; at 600,000 lines that was a third of rendering).
final class LineAssembler {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// A cursor at the start, with room for `count` bytes (what was there is dropped).
    @inline(__always)
    func start(room count: Int) -> LineCursor {
        if count > capacity {
            base.deallocate()
            capacity = max(count, capacity * 2)
            base = .allocate(capacity: capacity)
        }
        return LineCursor(position: base)
    }

    /// Appends what `cursor` wrote since ``start(room:)`` to `buffer`.
    @inline(__always)
    func finish(_ cursor: LineCursor, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: base, count: cursor.position - base))
    }
}
