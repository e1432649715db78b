/// One IPVS setting of `/proc/sys/net/ipv4/vs/` in a namespace (`net.ipv4.vs.NAME`).
public struct IPVSSysctl: Sendable, Hashable {
    /// The sysctl's name, e.g. `conn_reuse_mode`; `sync_threshold`'s second number is
    /// `sync_period`.
    public var name: String
    public var value: Int64

    public init(name: String, value: Int64) {
        self.name = name
        self.value = value
    }
}
