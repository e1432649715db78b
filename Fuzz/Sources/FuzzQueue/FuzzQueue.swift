import FuzzSupport
import Logging

@testable import RemoteWrite

/// The remote-write queue as found on disk after a crash: segment files and a cursor file,
/// replayed by the real `ShardLog` from a directory. Input layout:
///
///     u8 control: bit 0 = make the checksums right (so that the fuzzer gets past them),
///                 bit 1 = a cursor file follows
///     [36 bytes: the cursor file]
///     up to 3 times: u16 little-endian length, that many bytes: segment 1, 2, 3
///
/// Whatever replays must read back: every entry's payload is there and as long as its
/// record says; a batch appended after the replay is there, after what was, when the
/// directory is opened again; and once everything is acknowledged, opening it again
/// finds nothing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueue(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    var input = FuzzInput(start, count)
    let control = input.byte()
    let fixChecksums = control & 1 != 0
    var cursor = control & 2 != 0 ? (0..<36).map { _ in input.byte() } : nil
    var segments: [[UInt8]] = []
    while !input.bytes.isEmpty && segments.count < 3 {
        let length = Int(input.byte()) | Int(input.byte()) << 8
        segments.append((0..<min(length, input.bytes.count)).map { _ in input.byte() })
    }
    if fixChecksums {
        if cursor != nil { fixCursor(&cursor!) }
        for index in segments.indices { fixRecords(&segments[index]) }
    }

    let directory = ScratchDirectory.emptied("queue")
    if let cursor { ScratchDirectory.write("queue/cursor", cursor) }
    for (index, segment) in segments.enumerated() {
        ScratchDirectory.write("queue/0000000000000000000\(index + 1).seg", segment)
    }
    do throws(RemoteWriteError) {
        try check(directory)
    } catch {
        fuzzCheck(false, "the queue directory failed: \(error)")
    }
    return 0
}

private let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

private func open(_ directory: String) throws(RemoteWriteError) -> ShardLog {
    try ShardLog(directory: directory, segmentBytes: 1 << 20, sync: .never, logger: logger)
}

private func check(_ directory: String) throws(RemoteWriteError) {
    var log = try open(directory)
    let replayed = log.count
    var sequences: [UInt64] = []
    for index in 0..<replayed {
        guard let entry = log.entry(at: index) else {
            fuzzCheck(false, "entry \(index) of \(replayed) missing")
            return
        }
        sequences.append(entry.sequence)
        if let payload = try log.payload(of: entry) {
            fuzzCheck(payload.count == entry.recordLength - QueueRecord.headerSize, "payload length differs")
        }
    }

    // A sequence number past 2^62 is one no queue reaches (a batch a nanosecond for 146
    // years): there the replay may count the next batch as damage, which is all it can do.
    guard log.maxSequence < 1 << 62 else { return }
    let payload: [UInt8] = [0x42, 0x00, 0xff]
    let sequence = log.maxSequence + 1
    try log.append([(sequence, EncodedBatch(shard: 0, protocolVersion: .v2, sampleCount: 1, payload: payload))])
    log.close()

    log = try open(directory)
    fuzzCheck(log.count == replayed + 1, "\(replayed) replayed, one appended, \(log.count) after reopening")
    if let last = log.entry(at: log.count - 1) {
        fuzzCheck(last.sequence == sequence, "the appended batch is not last")
        let readBack = try log.payload(of: last)
        fuzzCheck(readBack == payload, "the appended batch reads back differently")
    }
    try log.removeFirst(log.count)
    log.close()

    log = try open(directory)
    fuzzCheck(log.isEmpty, "\(log.count) entries left after acknowledging all")
    log.close()
}

/// Gives the cursor its magic and the CRC of its fields.
private func fixCursor(_ bytes: inout [UInt8]) {
    bytes.replaceSubrange(0..<8, with: Array("IPVSRWC1".utf8))
    let checksum = bytes.withUnsafeBytes { QueueFiles.crc32(UnsafeRawBufferPointer(rebasing: $0[8..<32])) }
    for index in 0..<4 { bytes[32 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(index))) }
}

/// Gives a segment its magic and each record that fits the CRC of its contents, walking
/// records as the replay does.
private func fixRecords(_ bytes: inout [UInt8]) {
    guard bytes.count >= 8 else { return }
    bytes.replaceSubrange(0..<8, with: QueueRecord.segmentMagic)
    var offset = 8
    while let header = QueueRecord.parseHeader(bytes[offset...]),
        offset + QueueRecord.headerSize + header.payloadLength <= bytes.count
    {
        let end = offset + QueueRecord.headerSize + header.payloadLength
        let checksum = bytes.withUnsafeBytes {
            QueueFiles.crc32(UnsafeRawBufferPointer(rebasing: $0[(offset + 8)..<end]))
        }
        for index in 0..<4 { bytes[offset + 4 + index] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt32(index))) }
        offset = end
    }
}
