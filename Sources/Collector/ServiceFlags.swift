/// Flags of a virtual service (`IP_VS_SVC_F_*`).
public struct ServiceFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let persistent = ServiceFlags(rawValue: 0x1)
    public static let hashed = ServiceFlags(rawValue: 0x2)
    public static let onePacket = ServiceFlags(rawValue: 0x4)
    public static let shFallback = ServiceFlags(rawValue: 0x8)
    public static let shPort = ServiceFlags(rawValue: 0x10)

    private static let named: [(ServiceFlags, String)] = [
        (.persistent, "persistent"), (.hashed, "hashed"), (.onePacket, "one-packet"),
        (.shFallback, "sh-fallback"), (.shPort, "sh-port"),
    ]

    /// The label value: the set flags' names joined by commas, in a fixed order
    /// (`persistent,hashed,one-packet,sh-fallback,sh-port`); unnamed bits as `0xNN`.
    public var labelValue: String {
        var names: [String] = []
        var rest = rawValue
        for (flag, name) in Self.named where contains(flag) {
            names.append(name)
            rest &= ~flag.rawValue
        }
        if rest != 0 { names.append("0x" + String(rest, radix: 16)) }
        return names.joined(separator: ",")
    }
}
