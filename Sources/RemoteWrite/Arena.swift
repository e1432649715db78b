/// A grow-only C array reused from batch to batch, so that encoding a request
/// allocates nothing once the arenas have reached the largest batch's size.
///
/// Only for trivial element types (C structs, pointers, numbers): elements are
/// overwritten in place and never deinitialized.
final class Arena<Element> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var capacity: Int

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `count` elements. The previous contents are not kept.
    func reserve(_ count: Int) {
        guard count > capacity else { return }
        base.deallocate()
        capacity = max(count, capacity * 2)
        base = .allocate(capacity: capacity)
    }

    @inline(__always)
    subscript(index: Int) -> UnsafeMutablePointer<Element> { base + index }
}
