/// The outcome of reading one namespace: its snapshot, or why it could not be read.
public struct NamespaceCollection: Sendable {
    /// The namespace path as given; empty for the agent's own namespace.
    public var namespace: String
    public var result: Result<NamespaceSnapshot, CollectorError>
    public var durationSeconds: Double

    public init(namespace: String, result: Result<NamespaceSnapshot, CollectorError>, durationSeconds: Double) {
        self.namespace = namespace
        self.result = result
        self.durationSeconds = durationSeconds
    }
}
