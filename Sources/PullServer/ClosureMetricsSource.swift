import Exposition

/// A ``MetricsSource`` made from a closure, for callers that have no source type of
/// their own.
public struct ClosureMetricsSource: MetricsSource {
    private let body: @Sendable () async -> [MetricFamily]

    public init(_ body: @escaping @Sendable () async -> [MetricFamily]) {
        self.body = body
    }

    public func collect() async -> [MetricFamily] {
        await body()
    }
}
