/// Entries of a namespace's connection table counted by virtual service, real server and
/// state: one sample of `ipvs_connection_entries` (and of `ipvs_connection_entries_orphaned`
/// when ``orphaned``).
public struct ConnectionEntries: Sendable, Hashable {
    /// The index of the entries' virtual service in the snapshot's services; nil when no
    /// service of the namespace matches them (deleted, or synchronised from another director).
    public var serviceIndex: Int?
    /// Their real server and state; their protocol, virtual address and port only without a
    /// service (with one, those are protocol 0, the IPv4 address 0.0.0.0 and port 0, so that
    /// entries reaching one service through several published ports count together).
    public var key: ConnectionEntryKey
    /// Their real server is not (any more) a real server of their service, or has weight 0,
    /// or they have no service: traffic of these connections goes nowhere useful.
    public var orphaned: Bool
    public var count: Int

    public init(serviceIndex: Int?, key: ConnectionEntryKey, orphaned: Bool, count: Int) {
        self.serviceIndex = serviceIndex
        self.key = key
        self.orphaned = orphaned
        self.count = count
    }
}
