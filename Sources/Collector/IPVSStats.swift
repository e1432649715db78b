/// Counters and rate estimates of a virtual service or real server, as the kernel
/// reports them (`IPVS_*_ATTR_STATS64`, or the 32-bit `STATS` on older kernels).
///
/// Rates are the kernel's estimates per second, refreshed about every 2 s: bytes per
/// second for the byte rates (not bits).
public struct IPVSStats: Sendable, Hashable {
    public var connections: UInt64 = 0
    public var incomingPackets: UInt64 = 0
    public var outgoingPackets: UInt64 = 0
    public var incomingBytes: UInt64 = 0
    public var outgoingBytes: UInt64 = 0
    public var connectionsPerSecond: UInt64 = 0
    public var incomingPacketsPerSecond: UInt64 = 0
    public var outgoingPacketsPerSecond: UInt64 = 0
    public var incomingBytesPerSecond: UInt64 = 0
    public var outgoingBytesPerSecond: UInt64 = 0

    public init() {}
}
