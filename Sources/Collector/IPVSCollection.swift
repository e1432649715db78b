import Namespaces

/// One collection: every namespace that has something to report, what the namespace
/// patterns found, and which names sources answered.
public struct IPVSCollection: Sendable {
    /// The namespaces given by path (always, read or failed) and those matched by a
    /// pattern that hold virtual services, in that order.
    public var namespaces: [NamespaceCollection]
    /// What `--namespace-glob` matched; nil when no pattern is configured.
    public var discovery: NamespaceDiscovery?
    /// Whether each configured names source answered (`ipvs_names_up`); empty without one.
    public var namesUp: [ServiceName.Source: Bool]

    public init(
        namespaces: [NamespaceCollection], discovery: NamespaceDiscovery? = nil,
        namesUp: [ServiceName.Source: Bool] = [:]
    ) {
        self.namespaces = namespaces
        self.discovery = discovery
        self.namesUp = namesUp
    }
}
