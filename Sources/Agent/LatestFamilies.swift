import Exposition
import Synchronization

/// The newest collection, shared with the `/metrics` endpoint of `run`.
public final class LatestFamilies: Sendable {
    private let families = Mutex<[MetricFamily]>([])

    public init() {}

    func set(_ families: [MetricFamily]) {
        self.families.withLock { $0 = families }
    }

    /// The families of the last finished cycle (none before the first).
    public func get() -> [MetricFamily] {
        families.withLock { $0 }
    }
}
