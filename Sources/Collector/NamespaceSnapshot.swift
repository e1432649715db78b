/// Everything read from one network namespace in one collection.
public struct NamespaceSnapshot: Sendable {
    /// The namespace file path as the user gave it; empty for the agent's own namespace.
    public var namespace: String
    public var info: IPVSInfo
    /// Sorted (see ``VirtualService/isOrderedBefore(_:_:)``), destinations sorted too.
    public var services: [VirtualService]
    /// Firewall mark → the published ports found in the namespace's mangle MARK rules.
    public var markPorts: [UInt32: [UInt16]]
    /// Firewall mark → the IPv4 destination addresses (`-d ADDRESS/32`) of the mangle MARK
    /// rules that set it, sorted and unique: a Docker service's virtual IP in its network.
    public var markAddresses: [UInt32: [String]]
    /// The connection timeouts (`ipvsadm -L --timeout`); nil when not read.
    public var timeouts: IPVSTimeouts?
    /// The sync daemons running in the namespace, master first (`ipvsadm -L --daemon`).
    public var syncDaemons: [SyncDaemon]
    /// The namespace's IPVS sysctls, sorted by name (see ``IPVSSysctls``).
    public var sysctls: [IPVSSysctl]
    /// The connection table counted by service, real server and state (`--connection-states`);
    /// nil when not read.
    public var connections: [ConnectionEntries]?
    /// Messages skipped because they were malformed or truncated, in this collection.
    public var malformedMessages: Int
    public var durationSeconds: Double

    public init(
        namespace: String, info: IPVSInfo, services: [VirtualService], markPorts: [UInt32: [UInt16]] = [:],
        markAddresses: [UInt32: [String]] = [:], timeouts: IPVSTimeouts? = nil, syncDaemons: [SyncDaemon] = [],
        sysctls: [IPVSSysctl] = [], connections: [ConnectionEntries]? = nil, malformedMessages: Int = 0,
        durationSeconds: Double = 0
    ) {
        self.namespace = namespace
        self.info = info
        self.services = services
        self.markPorts = markPorts
        self.markAddresses = markAddresses
        self.timeouts = timeouts
        self.syncDaemons = syncDaemons
        self.sysctls = sysctls
        self.connections = connections
        self.malformedMessages = malformedMessages
        self.durationSeconds = durationSeconds
    }
}
