/// The on-disk layout of the queue.
///
/// A segment file starts with the 8-byte magic `IPVSRWQ1` and holds records:
///
///     u32 payload length   (little endian, as all fields)
///     u32 CRC-32 of bytes 8 ..< 24 + length (the rest of the header and the payload)
///     u64 sequence number  (increasing across the whole queue of one URL)
///     u8  protocol         (1 = remote write 1.0, 2 = 2.0)
///     u8, u16 reserved (0)
///     u32 sample count
///     payload              (the snappy-compressed request body)
///
/// A record whose header or payload is cut short, whose CRC does not match or whose
/// length is absurd ends the readable part of its segment: a crash in the middle of an
/// append leaves exactly that, and anything after it cannot be trusted to start at a
/// record boundary.
enum QueueRecord {
    static let segmentMagic: [UInt8] = Array("IPVSRWQ1".utf8)
    static let headerSize = 24
    /// Larger than any request a receiver accepts (32 MiB decoded), so a bigger length
    /// field can only be garbage.
    static let maxPayload = 64 * 1024 * 1024

    struct Header {
        var payloadLength: Int
        var checksum: UInt32
        var sequence: UInt64
        var protocolTag: UInt8
        var sampleCount: Int
    }

    static func append(
        to buffer: inout [UInt8], sequence: UInt64, protocolVersion: RemoteWriteProtocol, sampleCount: Int,
        payload: [UInt8]
    ) {
        let start = buffer.count
        appendLittleEndian(UInt32(payload.count), to: &buffer)
        appendLittleEndian(UInt32(0), to: &buffer)
        appendLittleEndian(sequence, to: &buffer)
        buffer.append(protocolVersion.recordTag)
        buffer.append(contentsOf: [0, 0, 0])
        appendLittleEndian(UInt32(clamping: sampleCount), to: &buffer)
        buffer.append(contentsOf: payload)
        let checksum = buffer.withUnsafeBytes { QueueFiles.crc32(UnsafeRawBufferPointer(rebasing: $0[(start + 8)...])) }
        withUnsafeBytes(of: checksum.littleEndian) { bytes in
            for index in 0..<4 { buffer[start + 4 + index] = bytes[index] }
        }
    }

    static func parseHeader(_ bytes: ArraySlice<UInt8>) -> Header? {
        guard bytes.count >= headerSize else { return nil }
        let base = bytes.startIndex
        let length = Int(readLittleEndian(UInt32.self, bytes, at: base))
        guard length <= maxPayload else { return nil }
        return Header(
            payloadLength: length, checksum: readLittleEndian(UInt32.self, bytes, at: base + 4),
            sequence: readLittleEndian(UInt64.self, bytes, at: base + 8), protocolTag: bytes[base + 16],
            sampleCount: Int(readLittleEndian(UInt32.self, bytes, at: base + 20)))
    }

    /// Whether the checksum matches `record` (header and payload).
    static func isIntact(_ record: ArraySlice<UInt8>, header: Header) -> Bool {
        let computed = record.withUnsafeBytes { QueueFiles.crc32(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        return computed == header.checksum
    }

    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    static func readLittleEndian<T: FixedWidthInteger>(_ type: T.Type, _ bytes: ArraySlice<UInt8>, at index: Int) -> T {
        var value: T = 0
        for offset in 0..<MemoryLayout<T>.size {
            value |= T(bytes[index + offset]) << (8 * offset)
        }
        return value
    }
}
