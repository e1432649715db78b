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

    /// The daemons of a dump as a namespace can run them: at most one master, then at most one
    /// backup (the first the kernel sent of each). A dump repeated in part, or damaged, would
    /// otherwise give one series twice.
    static func running(_ dumped: [SyncDaemon]) -> [SyncDaemon] {
        [State.master, .backup].compactMap { state in dumped.first { $0.state == state } }
    }
}
