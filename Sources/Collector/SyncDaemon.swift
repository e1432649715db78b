/// A connection synchronisation daemon the kernel runs in a namespace
/// (`ipvsadm --start-daemon master|backup`), as `IPVS_CMD_GET_DAEMON` reports it.
///
/// A master sends the namespace's connections to the multicast group on its interface; a
/// backup receives them, so that a director taking over keeps the connections going. One of
/// each can run per namespace.
public struct SyncDaemon: Sendable, Hashable {
    public enum State: String, Sendable {
        case master, backup
    }

    public var state: State
    /// The multicast interface (`--mcast-interface`).
    public var interface: String
    /// The SyncID (`--syncid`): a backup only takes messages of its own.
    public var syncID: UInt32

    public init(state: State, interface: String, syncID: UInt32) {
        self.state = state
        self.interface = interface
        self.syncID = syncID
    }

    /// Master before backup, as the kernel lists them.
    static func isOrderedBefore(_ a: SyncDaemon, _ b: SyncDaemon) -> Bool {
        (a.state == .master ? 0 : 1, a.interface, a.syncID) < (b.state == .master ? 0 : 1, b.interface, b.syncID)
    }
}
