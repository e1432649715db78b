/// The acknowledgement cursor of one shard: where the first batch not yet
/// acknowledged by the receiver starts (everything before it has been delivered or
/// dropped), and the sequence number of the last batch acknowledged.
///
/// Stored as `IPVSRWC1` + segment u64 + offset u64 + sequence u64 + CRC-32 of those
/// 24 bytes, all little endian, replaced atomically (temporary file + rename).
struct QueueCursor: Equatable {
    var segment: UInt64
    var offset: Int
    var acknowledgedSequence: UInt64

    static let fileName = "cursor"
    private static let magic: [UInt8] = Array("IPVSRWC1".utf8)

    /// Segment ids are below 2^62: one new segment a nanosecond would take 146 years to reach
    /// it, and the ids after it still fit, so numbering the next segment never overflows.
    static let segmentLimit: UInt64 = 1 << 62

    var encoded: [UInt8] {
        var bytes = Self.magic
        QueueRecord.appendLittleEndian(segment, to: &bytes)
        QueueRecord.appendLittleEndian(UInt64(offset), to: &bytes)
        QueueRecord.appendLittleEndian(acknowledgedSequence, to: &bytes)
        let checksum = bytes.withUnsafeBytes { QueueFiles.crc32(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        QueueRecord.appendLittleEndian(checksum, to: &bytes)
        return bytes
    }

    /// The cursor in `bytes`, or nil when they are not a valid cursor file. A segment id
    /// from `QueueCursor.segmentLimit` on, or a sequence number at the top of its range, is
    /// not valid: the queue numbers the next segments and batches after them, and no queue
    /// lives to write that many of either.
    init?(decoding bytes: [UInt8]) {
        guard bytes.count == 36, Array(bytes[0..<8]) == Self.magic else { return nil }
        let slice = bytes[...]
        let checksum = bytes.withUnsafeBytes { QueueFiles.crc32(UnsafeRawBufferPointer(rebasing: $0[8..<32])) }
        guard checksum == QueueRecord.readLittleEndian(UInt32.self, slice, at: 32) else { return nil }
        segment = QueueRecord.readLittleEndian(UInt64.self, slice, at: 8)
        offset = Int(clamping: QueueRecord.readLittleEndian(UInt64.self, slice, at: 16))
        acknowledgedSequence = QueueRecord.readLittleEndian(UInt64.self, slice, at: 24)
        guard segment < Self.segmentLimit, acknowledgedSequence < .max else { return nil }
    }

    init(segment: UInt64, offset: Int, acknowledgedSequence: UInt64) {
        self.segment = segment
        self.offset = offset
        self.acknowledgedSequence = acknowledgedSequence
    }
}
