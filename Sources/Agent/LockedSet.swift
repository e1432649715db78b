import Synchronization

/// A set shared between tasks.
final class LockedSet<Element: Hashable & Sendable>: Sendable {
    private let storage = Mutex<Set<Element>>([])

    func insert(_ element: Element) {
        _ = storage.withLock { $0.insert(element) }
    }

    var values: Set<Element> { storage.withLock { $0 } }
}
