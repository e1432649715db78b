/// Everything read from one network namespace in one collection.
public struct NamespaceSnapshot: Sendable {
    /// The namespace file path as the user gave it; empty for the agent's own namespace.
    public var namespace: String
    public var info: IPVSInfo
    /// Sorted (see ``VirtualService/isOrderedBefore(_:_:)``), destinations sorted too.
    public var services: [VirtualService]
    /// Firewall mark → the published ports found in the namespace's mangle MARK rules.
    public var markPorts: [UInt32: [UInt16]]
    /// Messages skipped because they were malformed or truncated, in this collection.
    public var malformedMessages: Int
    public var durationSeconds: Double

    public init(
        namespace: String, info: IPVSInfo, services: [VirtualService], markPorts: [UInt32: [UInt16]] = [:],
        malformedMessages: Int = 0, durationSeconds: Double = 0
    ) {
        self.namespace = namespace
        self.info = info
        self.services = services
        self.markPorts = markPorts
        self.malformedMessages = malformedMessages
        self.durationSeconds = durationSeconds
    }
}
