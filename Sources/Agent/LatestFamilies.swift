import Exposition
import NIOConcurrencyHelpers

/// The newest collection, shared with the `/metrics` endpoint of `run`.
public final class LatestFamilies: Sendable {
    private let families = NIOLockedValueBox<[MetricFamily]>([])

    public init() {}

    func set(_ families: [MetricFamily]) {
        self.families.withLockedValue { $0 = families }
    }

    /// The families of the last finished cycle (none before the first).
    public func get() -> [MetricFamily] {
        families.withLockedValue { $0 }
    }
}
