/// Walks the attributes (type-length-value records, 4-byte aligned) of a netlink
/// payload, checking every length against the bytes actually there.
struct NetlinkAttributes {
    let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Calls `body` with each attribute's type (flags masked off) and payload.
    /// Throws on an attribute whose header or length does not fit.
    func forEach(_ body: (_ type: UInt16, _ payload: UnsafeRawBufferPointer) throws(NetlinkMessageError) -> Void)
        throws(NetlinkMessageError)
    {
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= IPVSProtocol.attributeHeaderSize else {
                throw NetlinkMessageError("attribute header truncated at offset \(offset)")
            }
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            let type = bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self) & IPVSProtocol.attributeTypeMask
            guard length >= IPVSProtocol.attributeHeaderSize, length <= bytes.count - offset else {
                throw NetlinkMessageError("attribute \(type) claims \(length) bytes, \(bytes.count - offset) left")
            }
            let payload = UnsafeRawBufferPointer(
                rebasing: bytes[(offset + IPVSProtocol.attributeHeaderSize)..<(offset + length)])
            try body(type, payload)
            offset += (length + 3) & ~3
        }
    }
}

extension UnsafeRawBufferPointer {
    func netlinkU16(_ name: StaticString) throws(NetlinkMessageError) -> UInt16 {
        guard count >= 2 else { throw NetlinkMessageError("\(name) has \(count) bytes, expected 2") }
        return loadUnaligned(as: UInt16.self)
    }

    func netlinkBigEndianU16(_ name: StaticString) throws(NetlinkMessageError) -> UInt16 {
        UInt16(bigEndian: try netlinkU16(name))
    }

    func netlinkU32(_ name: StaticString) throws(NetlinkMessageError) -> UInt32 {
        guard count >= 4 else { throw NetlinkMessageError("\(name) has \(count) bytes, expected 4") }
        return loadUnaligned(as: UInt32.self)
    }

    /// A counter that is 32 bits in `STATS` and 64 bits in `STATS64`: the payload
    /// length says which.
    func netlinkCounter(_ name: StaticString) throws(NetlinkMessageError) -> UInt64 {
        switch count {
        case 4: UInt64(loadUnaligned(as: UInt32.self))
        case 8: loadUnaligned(as: UInt64.self)
        default: throw NetlinkMessageError("\(name) has \(count) bytes, expected 4 or 8")
        }
    }

    /// A NUL-terminated string attribute.
    func netlinkString() -> String {
        let end = firstIndex(of: 0) ?? count
        return String(decoding: UnsafeRawBufferPointer(rebasing: self[0..<end]), as: UTF8.self)
    }
}
