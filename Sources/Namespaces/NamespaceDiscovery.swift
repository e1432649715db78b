/// How many network namespaces the `--namespace-glob` patterns matched in one collection,
/// by what reading them found (`ipvs_namespaces{state}`).
///
/// Only namespaces with virtual services emit series of their own: a Docker host has a
/// namespace per container, and one series each would churn with every container.
public struct NamespaceDiscovery: Sendable, Hashable {
    /// Read, with at least one virtual service.
    public var withServices = 0
    /// Read, without virtual services.
    public var empty = 0
    /// Not readable (the error is logged once per change).
    public var failed = 0

    public init(withServices: Int = 0, empty: Int = 0, failed: Int = 0) {
        self.withServices = withServices
        self.empty = empty
        self.failed = failed
    }

    /// The `state` label values with their counts, in label order.
    public var byState: [(state: String, count: Int)] {
        [("empty", empty), ("failed", failed), ("with_services", withServices)]
    }
}
