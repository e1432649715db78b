/// What the lines of the kernel's connection table (`/proc/net/ip_vs_conn`) that are counted
/// together have in common: everything but the client's address and port and the expiry.
public struct ConnectionEntryKey: Sendable, Hashable {
    /// The entry's IP protocol number (0 for a firewall-mark service's persistence template,
    /// which the kernel lists as `IP`).
    public var protocolNumber: UInt16
    /// The address the client connected to (a persistence template of a firewall-mark service
    /// carries the mark in its first four bytes instead).
    public var virtualAddress: IPAddress
    public var virtualPort: UInt16
    /// The real server the entry forwards to (its family may differ from the virtual one's).
    public var destinationAddress: IPAddress
    public var destinationPort: UInt16
    /// The protocol state as the kernel names it (`ESTABLISHED`, `TIME_WAIT`, `UDP`, `NONE`, ...).
    public var state: String

    public init(
        protocolNumber: UInt16, virtualAddress: IPAddress, virtualPort: UInt16, destinationAddress: IPAddress,
        destinationPort: UInt16, state: String
    ) {
        self.protocolNumber = protocolNumber
        self.virtualAddress = virtualAddress
        self.virtualPort = virtualPort
        self.destinationAddress = destinationAddress
        self.destinationPort = destinationPort
        self.state = state
    }
}
