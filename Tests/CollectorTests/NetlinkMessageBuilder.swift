/// Builds generic-netlink messages byte by byte, as the kernel lays them out, so the
/// parser can be tested on exact input, including broken input.
struct NetlinkMessageBuilder {
    var attributes: [UInt8] = []

    static func attribute(_ type: UInt16, _ payload: [UInt8], nested: Bool = false) -> [UInt8] {
        let length = UInt16(4 + payload.count)
        var bytes: [UInt8] = le16(length)
        bytes += le16(type | (nested ? 0x8000 : 0))
        bytes += payload
        while bytes.count % 4 != 0 { bytes.append(0) }
        return bytes
    }

    static func u16(_ type: UInt16, _ value: UInt16) -> [UInt8] { attribute(type, le16(value)) }
    static func be16(_ type: UInt16, _ value: UInt16) -> [UInt8] {
        attribute(type, [UInt8(value >> 8), UInt8(value & 0xff)])
    }
    static func u32(_ type: UInt16, _ value: UInt32) -> [UInt8] { attribute(type, le32(value)) }
    static func u64(_ type: UInt16, _ value: UInt64) -> [UInt8] { attribute(type, le64(value)) }
    static func string(_ type: UInt16, _ value: String) -> [UInt8] { attribute(type, Array(value.utf8) + [0]) }
    static func nest(_ type: UInt16, _ children: [[UInt8]]) -> [UInt8] {
        attribute(type, Array(children.joined()), nested: true)
    }

    /// A whole message: netlink header, generic header, attributes.
    static func message(command: UInt8, familyID: UInt16 = 0x20, _ attributes: [[UInt8]]) -> [UInt8] {
        var body: [UInt8] = [command, 1, 0, 0]
        body += attributes.joined()
        var message: [UInt8] = le32(UInt32(16 + body.count))
        message += le16(familyID)
        message += le16(0x2)
        message += le32(1)
        message += le32(0)
        message += body
        return message
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) } }
    static func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8((value >> (8 * UInt64($0))) & 0xff) } }

    /// STATS64 (or STATS with 32-bit fields) with the ten counters 1...10 scaled by `base`.
    static func stats(_ type: UInt16, base: UInt64, wide: Bool, withPad: Bool = false) -> [UInt8] {
        var children: [[UInt8]] = []
        if withPad { children.append(attribute(11, [])) }
        for field in UInt16(1)...10 {
            let value = base * UInt64(field)
            // In the 32-bit STATS nest only the byte counters (4, 5) are 64 bits.
            if wide || field == 4 || field == 5 {
                children.append(u64(field, value))
            } else {
                children.append(u32(field, UInt32(truncatingIfNeeded: value)))
            }
        }
        return nest(type, children)
    }
}
