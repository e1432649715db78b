import NIOConcurrencyHelpers

/// A set shared between tasks.
final class LockedSet<Element: Hashable & Sendable>: Sendable {
    private let storage = NIOLockedValueBox<Set<Element>>([])

    func insert(_ element: Element) {
        _ = storage.withLockedValue { $0.insert(element) }
    }

    var values: Set<Element> { storage.withLockedValue { $0 } }
}
