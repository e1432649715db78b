/// A real server (destination) of a virtual service.
public struct RealServer: Sendable, Hashable {
    public var address: IPAddress
    public var port: UInt16
    public var forwarding: ForwardingMethod
    public var weight: Int32
    public var upperThreshold: UInt32
    public var lowerThreshold: UInt32
    public var activeConnections: UInt32
    public var inactiveConnections: UInt32
    public var persistentConnections: UInt32
    public var stats: IPVSStats

    public init(
        address: IPAddress, port: UInt16, forwarding: ForwardingMethod = .masquerade, weight: Int32 = 0,
        upperThreshold: UInt32 = 0, lowerThreshold: UInt32 = 0, activeConnections: UInt32 = 0,
        inactiveConnections: UInt32 = 0, persistentConnections: UInt32 = 0, stats: IPVSStats = IPVSStats()
    ) {
        self.address = address
        self.port = port
        self.forwarding = forwarding
        self.weight = weight
        self.upperThreshold = upperThreshold
        self.lowerThreshold = lowerThreshold
        self.activeConnections = activeConnections
        self.inactiveConnections = inactiveConnections
        self.persistentConnections = persistentConnections
        self.stats = stats
    }

    public static func isOrderedBefore(_ a: RealServer, _ b: RealServer) -> Bool {
        if a.address != b.address { return a.address < b.address }
        return a.port < b.port
    }
}
