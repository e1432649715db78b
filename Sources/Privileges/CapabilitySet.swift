/// A set of capabilities, as the kernel keeps it: a 64-bit mask, bit n for capability n.
public struct CapabilitySet: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var mask: UInt64

    public init(mask: UInt64) {
        self.mask = mask
    }

    public init(_ capabilities: some Sequence<Capability>) {
        mask = 0
        for capability in capabilities { insert(capability) }
    }

    public init(arrayLiteral elements: Capability...) {
        self.init(elements)
    }

    /// Parses a mask as /proc/PID/status prints it (`CapEff:\t0000000000001000`).
    init?(hex text: Substring) {
        guard let mask = UInt64(text, radix: 16) else { return nil }
        self.mask = mask
    }

    public static let empty = CapabilitySet(mask: 0)

    public var isEmpty: Bool { mask == 0 }

    public func contains(_ capability: Capability) -> Bool {
        capability.number >= 0 && capability.number < 64 && mask & (1 << UInt64(capability.number)) != 0
    }

    public func isSubset(of other: CapabilitySet) -> Bool { mask & ~other.mask == 0 }

    public mutating func insert(_ capability: Capability) {
        guard capability.number >= 0 && capability.number < 64 else { return }
        mask |= 1 << UInt64(capability.number)
    }

    public mutating func remove(_ capability: Capability) {
        guard capability.number >= 0 && capability.number < 64 else { return }
        mask &= ~(1 << UInt64(capability.number))
    }

    public func union(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(mask: mask | other.mask) }
    public func intersection(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(mask: mask & other.mask) }
    public func subtracting(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(mask: mask & ~other.mask) }

    /// The members, lowest number first.
    public var capabilities: [Capability] {
        (0..<64).filter { mask & (1 << UInt64($0)) != 0 }.map(Capability.init(number:))
    }

    /// `CAP_NET_ADMIN,CAP_SYS_ADMIN`, or `none`.
    public var description: String {
        isEmpty ? "none" : capabilities.map(\.name).joined(separator: ",")
    }
}
