import Exposition
import Foundation

/// The newest collection, shared with the `/metrics` endpoint of `run`.
public final class LatestFamilies: @unchecked Sendable {
    private let lock = NSLock()
    private var families: [MetricFamily] = []

    public init() {}

    func set(_ families: [MetricFamily]) {
        lock.withLock { self.families = families }
    }

    /// The families of the last finished cycle (none before the first).
    public func get() -> [MetricFamily] {
        lock.withLock { families }
    }
}
