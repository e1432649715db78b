import Foundation
import TestSupport
import Testing

@testable import RemoteWrite

@Suite("Remote-write durable queue")
struct QueueTests {
    func batch(_ shard: Int, _ marker: UInt8, size: Int = 100, samples: Int = 10) -> EncodedBatch {
        EncodedBatch(
            shard: shard, protocolVersion: .v1, sampleCount: samples, payload: [UInt8](repeating: marker, count: size))
    }

    func open(
        _ directory: String?, shards: Int = 2, maxBytes: Int = 1 << 20, segmentBytes: Int = 1 << 20,
        sync: QueueSyncPolicy = .never, writeBehind: Duration = .zero, heldBytesLimit: Int = 1 << 20
    ) throws -> BatchQueue {
        try BatchQueue(
            directory: directory, shardCount: shards, maxBytes: maxBytes, segmentBytes: segmentBytes, sync: sync,
            writeBehind: writeBehind, heldBytesLimit: heldBytesLimit, logger: silentLogger)
    }

    /// A write-behind queue on `directory` whose receiver has acknowledged a batch (written,
    /// as everything before the first acknowledgement is), so that it holds new ones.
    func keepingUp(
        _ directory: String, shards: Int = 1, maxBytes: Int = 1 << 20, writeBehind: Duration = .seconds(60),
        heldBytesLimit: Int = 1 << 20
    ) async throws -> BatchQueue {
        let queue = try open(
            directory, shards: shards, maxBytes: maxBytes, writeBehind: writeBehind, heldBytesLimit: heldBytesLimit)
        try await queue.append([batch(0, 0)])
        #expect(queue.snapshot.heldBatches == 0, "written through before the first acknowledgement")
        let first = try #require(try await queue.head(shard: 0))
        #expect(try await queue.remove(shard: 0, sequence: first.sequence, acknowledged: true))
        return queue
    }

    /// Drains a shard without acknowledging: the markers in order.
    func markers(_ queue: BatchQueue, shard: Int) async throws -> [UInt8] {
        var result: [UInt8] = []
        while let head = try await queue.head(shard: shard) {
            result.append(head.payload[0])
            try await queue.remove(shard: shard, sequence: head.sequence)
        }
        return result
    }

    func segmentFiles(_ directory: String, shard: Int = 0) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "\(directory)/shard-00\(shard)").filter {
            $0.hasSuffix(".seg")
        }
        .sorted()
    }

    @Test func acknowledgedBatchesStayGoneAndTheRestReplaysInOrderAfterRestart() async throws {
        let directory = try temporaryDirectory("queue")
        defer { removeDirectory(directory) }
        var queue: BatchQueue? = try open(directory, sync: .always)
        try await queue!.append([batch(0, 1), batch(1, 2), batch(0, 3), batch(0, 4), batch(1, 5)])
        let head = try #require(try await queue!.head(shard: 0))
        #expect(head.payload == [UInt8](repeating: 1, count: 100))
        #expect(head.sampleCount == 10)
        #expect(try await queue!.remove(shard: 0, sequence: head.sequence))
        #expect(queue!.snapshot.batches == 4)
        #expect(queue!.snapshot.bytes == 4 * (100 + QueueRecord.headerSize))
        // Closing only releases the files here (the sync policy is `.always`); the
        // outage test kills a real process instead.
        await queue!.close()
        queue = nil

        let reopened = try open(directory, sync: .batched)
        #expect(reopened.snapshot.batches == 4)
        #expect(reopened.snapshot.corruptRecords == 0)
        let lastSequence = try #require(try await reopened.head(shard: 1)).sequence
        try await reopened.append([batch(0, 6)])
        #expect(try await markers(reopened, shard: 0) == [3, 4, 6])
        #expect(try await markers(reopened, shard: 1) == [2, 5])
        #expect(reopened.snapshot.isEmpty)
        await reopened.close()
        let third = try open(directory)
        #expect(third.snapshot.isEmpty, "acknowledged batches are not replayed")
        try await third.append([batch(1, 7)])
        let next = try #require(try await third.head(shard: 1))
        #expect(next.sequence > lastSequence, "sequence numbers keep increasing across restarts")
    }

    @Test func cutOffTailRecordIsSkippedAndCounted() async throws {
        let directory = try temporaryDirectory("queue-tail")
        defer { removeDirectory(directory) }
        do {
            let queue = try open(directory, shards: 1)
            try await queue.append([batch(0, 1), batch(0, 2), batch(0, 3)])
            await queue.close()
        }
        let segment = "\(directory)/shard-000/\(try segmentFiles(directory)[0])"
        let handle = try #require(FileHandle(forUpdatingAtPath: segment))
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: size - 10)  // an append cut short by a crash
        try handle.close()

        let queue = try open(directory, shards: 1)
        #expect(queue.snapshot.batches == 2)
        #expect(queue.snapshot.corruptRecords == 1)
        try await queue.append([batch(0, 4)])
        #expect(try await markers(queue, shard: 0) == [1, 2, 4])
        await queue.close()
        // The damaged segment is gone once the cursor moved past it.
        #expect(try segmentFiles(directory).count == 1)
        let clean = try open(directory, shards: 1)
        #expect(clean.snapshot.corruptRecords == 0)
        #expect(clean.snapshot.isEmpty)
    }

    @Test func recordFailingItsChecksumEndsTheSegment() async throws {
        let directory = try temporaryDirectory("queue-crc")
        defer { removeDirectory(directory) }
        do {
            let queue = try open(directory, shards: 1)
            try await queue.append([batch(0, 1), batch(0, 2), batch(0, 3)])
            await queue.close()
        }
        let segment = "\(directory)/shard-000/\(try segmentFiles(directory)[0])"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        let secondPayload = QueueRecord.segmentMagic.count + (QueueRecord.headerSize + 100) + QueueRecord.headerSize
        bytes[secondPayload + 50] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: segment))

        let queue = try open(directory, shards: 1)
        #expect(queue.snapshot.corruptRecords == 1)
        #expect(try await markers(queue, shard: 0) == [1])
    }

    @Test func damagedCursorReplaysEverythingStillOnDisk() async throws {
        let directory = try temporaryDirectory("queue-cursor")
        defer { removeDirectory(directory) }
        do {
            let queue = try open(directory, shards: 1)
            try await queue.append([batch(0, 1), batch(0, 2)])
            try await queue.remove(shard: 0, sequence: try #require(try await queue.head(shard: 0)).sequence)
            await queue.close()
        }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: "\(directory)/shard-000/cursor"))
        let queue = try open(directory, shards: 1)
        #expect(queue.snapshot.corruptRecords == 1)
        #expect(try await markers(queue, shard: 0) == [1, 2])
    }

    /// Found by Fuzz/FuzzQueue: a cursor (with a good checksum) naming segment 2^64 - 1
    /// crashed the replay on numbering the next segment, and one acknowledging sequence
    /// 2^64 - 1 (or a record with that sequence) crashed the queue on numbering the next
    /// batch, so the agent could not start until the directory was cleared by hand.
    @Test func numbersAtTheTopOfTheirRangeAreDamageNotACrash() async throws {
        let directory = try temporaryDirectory("queue-max")
        defer { removeDirectory(directory) }
        do {
            let queue = try open(directory, shards: 1)
            try await queue.append([batch(0, 1), batch(0, 2)])
            await queue.close()
        }
        let shard = "\(directory)/shard-000"
        let segment = "\(shard)/\(try segmentFiles(directory)[0])"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
        QueueRecord.append(to: &bytes, sequence: .max, protocolVersion: .v1, sampleCount: 1, payload: [3])
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        try Data(bytes).write(to: URL(fileURLWithPath: "\(shard)/18446744073709551615.seg"))
        try Data(bytes).write(to: URL(fileURLWithPath: "\(shard)/18446744073709551614.seg"))
        // The fuzzer's find: a cursor in segment 2^64 - 2 numbered the next segment 2^64 - 1
        // and the one after that overflowed.
        for cursor in [
            QueueCursor(segment: .max, offset: 8, acknowledgedSequence: 0),
            QueueCursor(segment: .max - 1, offset: 8, acknowledgedSequence: 0),
            QueueCursor(segment: QueueCursor.segmentLimit, offset: 8, acknowledgedSequence: 0),
            QueueCursor(segment: 1, offset: 8, acknowledgedSequence: .max),
        ] {
            try Data(cursor.encoded).write(to: URL(fileURLWithPath: "\(shard)/cursor"))
            let queue = try open(directory, shards: 1)
            // The damaged cursor and the record numbered 2^64 - 1, which ends its segment.
            #expect(queue.snapshot.corruptRecords == 2)
            let head = try #require(try await queue.head(shard: 0))
            #expect(head.payload == [UInt8](repeating: 1, count: 100))
            try await queue.append([batch(0, 9)])
            await queue.close()
        }
    }

    /// The fuzzer's find: a cursor in segment 2^62 - 1 (valid) had the queue number its
    /// next segment 2^62, which a replay ignores, so an appended batch was gone after a
    /// restart. Segments near the limit are renumbered from 1, in order, cursor included.
    @Test func segmentNumbersNearTheLimitAreRenumberedSoAppendedBatchesSurviveARestart() async throws {
        let directory = try temporaryDirectory("queue-renumber")
        defer { removeDirectory(directory) }
        let shard = "\(directory)/shard-000"
        let limit = QueueCursor.segmentLimit
        // A cursor at the limit's edge with no segment, then two segments there with batches.
        do {
            let queue = try open(directory, shards: 1)
            await queue.close()
        }
        try Data(QueueCursor(segment: limit - 1, offset: 8, acknowledgedSequence: 0).encoded).write(
            to: URL(fileURLWithPath: "\(shard)/cursor"))
        do {
            let queue = try open(directory, shards: 1)
            try await queue.append([batch(0, 1)])
            await queue.close()
        }
        do {
            let queue = try open(directory, shards: 1)
            let head = try #require(try await queue.head(shard: 0))
            #expect(head.payload == [UInt8](repeating: 1, count: 100))
            #expect(try segmentFiles(directory).allSatisfy { UInt64($0.dropLast(4))! < 1 << 32 })
            await queue.close()
        }
        for (index, name) in try segmentFiles(directory).enumerated() {
            let id = String(limit - 3 + UInt64(index))
            let padded = String(repeating: "0", count: 20 - id.count) + id
            try FileManager.default.moveItem(atPath: "\(shard)/\(name)", toPath: "\(shard)/\(padded).seg")
        }
        try Data(QueueCursor(segment: limit - 3, offset: 8, acknowledgedSequence: 0).encoded).write(
            to: URL(fileURLWithPath: "\(shard)/cursor"))
        do {
            let queue = try open(directory, shards: 1)
            try await queue.append([batch(0, 2)])
            await queue.close()
        }
        let queue = try open(directory, shards: 1)
        var payloads: [UInt8] = []
        while let head = try await queue.head(shard: 0) {
            payloads.append(head.payload[0])
            try await queue.remove(shard: 0, sequence: head.sequence)
        }
        #expect(payloads == [1, 2])
        #expect(queue.snapshot.corruptRecords == 0)
        await queue.close()
    }

    @Test func segmentsRotateAndAcknowledgedOnesAreDeleted() async throws {
        let directory = try temporaryDirectory("queue-segments")
        defer { removeDirectory(directory) }
        let queue = try open(directory, shards: 1, segmentBytes: 4096)
        for marker in 1...20 {
            try await queue.append([batch(0, UInt8(marker), size: 1000)])
        }
        #expect(try segmentFiles(directory).count >= 5)
        #expect(try await markers(queue, shard: 0) == Array(1...20))
        #expect(try segmentFiles(directory).count == 1, "only the segment being written remains")
        await queue.close()
        let reopened = try open(directory, shards: 1, segmentBytes: 4096)
        #expect(reopened.snapshot.isEmpty)
    }

    @Test(arguments: [true, false])
    func atTheBoundTheOldestBatchesAreDroppedAndCounted(onDisk: Bool) async throws {
        let directory = onDisk ? try temporaryDirectory("queue-bound") : nil
        defer { removeDirectory(directory) }
        let record = 1000 + QueueRecord.headerSize
        let queue = try open(directory, shards: 2, maxBytes: 5 * record)
        try await queue.append([batch(0, 1, size: 1000), batch(1, 2, size: 1000), batch(0, 3, size: 1000)])
        try await queue.append([batch(1, 4, size: 1000), batch(0, 5, size: 1000), batch(1, 6, size: 1000)])
        #expect(queue.snapshot.batches == 5)
        #expect(queue.snapshot.bytes == 5 * record)
        #expect(queue.snapshot.droppedForSpace[.v1] == 10)
        try await queue.append([batch(0, 7, size: 1000), batch(1, 8, size: 1000)])
        #expect(queue.snapshot.droppedForSpace[.v1] == 30)
        // A batch bigger than the whole bound is dropped by itself.
        try await queue.append([batch(0, 9, size: 6 * record, samples: 5)])
        #expect(queue.snapshot.droppedForSpace[.v1] == 35)
        #expect(try await markers(queue, shard: 0) == [5, 7])
        #expect(try await markers(queue, shard: 1) == [4, 6, 8])
    }

    @Test func aQueueStillHoldingBatchesKeepsItsShardCountUntilDrained() async throws {
        let directory = try temporaryDirectory("queue-shards")
        defer { removeDirectory(directory) }
        do {
            let queue = try open(directory, shards: 3)
            try await queue.append([batch(2, 1)])
            await queue.close()
        }
        do {
            let queue = try open(directory, shards: 2)
            #expect(queue.shardCount == 3)
            #expect(try await markers(queue, shard: 2) == [1])
            await queue.close()
        }
        let queue = try open(directory, shards: 2)
        #expect(queue.shardCount == 2)
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/shard-002"))
    }

    @Test func removingABatchDroppedMeanwhileIsANoOp() async throws {
        let queue = try open(nil, shards: 1, maxBytes: 2 * (100 + QueueRecord.headerSize))
        try await queue.append([batch(0, 1), batch(0, 2)])
        let head = try #require(try await queue.head(shard: 0))
        try await queue.append([batch(0, 3)])  // pushes batch 1 out while it is "in flight"
        #expect(!queue.contains(shard: 0, sequence: head.sequence))
        #expect(try await queue.remove(shard: 0, sequence: head.sequence) == false)
        #expect(try await markers(queue, shard: 0) == [2, 3])
    }

    @Test func aQueueDirectoryServesOneSenderAtATime() async throws {
        let directory = try temporaryDirectory("queue-lock")
        defer { removeDirectory(directory) }
        let first = try open(directory)
        #expect(throws: RemoteWriteError.self) {
            try BatchQueue(
                directory: directory, shardCount: 2, maxBytes: 1 << 20, segmentBytes: 1 << 20, sync: .never,
                logger: silentLogger, lockWait: .milliseconds(200))
        }
        await first.close()
        let second = try open(directory)
        await second.close()
    }

    // MARK: Write-behind

    @Test func heldBatchesReachTheFilesOnlyWhenSpilledBehindWhatIsThereInOrder() async throws {
        let directory = try temporaryDirectory("queue-held")
        defer { removeDirectory(directory) }
        do {
            let queue = try await keepingUp(directory)
            let written = queue.snapshot.writtenBytes
            #expect(written > 0)
            try await queue.append([batch(0, 1), batch(0, 2)])
            #expect(queue.snapshot.heldBatches == 2 && queue.snapshot.batches == 2)
            #expect(queue.snapshot.heldBytes == 2 * (100 + QueueRecord.headerSize))
            let head = try #require(try await queue.head(shard: 0))
            #expect(head.payload[0] == 1)
            #expect(try await queue.remove(shard: 0, sequence: head.sequence, acknowledged: true))
            #expect(
                queue.snapshot.writtenBytes == written, "acknowledging a held batch writes nothing, no cursor either")
            try await queue.append([batch(0, 3)])
            await queue.spillHeld()
            #expect(queue.snapshot.heldBatches == 0 && queue.snapshot.batches == 2)
            #expect(queue.snapshot.writtenBytes == written + 2 * (100 + QueueRecord.headerSize))
            // Write-through from now on, even after an acknowledgement, until the files are empty.
            let second = try #require(try await queue.head(shard: 0))
            #expect(try await queue.remove(shard: 0, sequence: second.sequence, acknowledged: true))
            try await queue.append([batch(0, 4)])
            #expect(queue.snapshot.heldBatches == 0)
            // Dropped without `close()`, as a SIGKILL leaves it.
        }
        let reopened = try open(directory, shards: 1)
        #expect(try await markers(reopened, shard: 0) == [3, 4])
        await reopened.close()
    }

    @Test func aQueueDroppedWithoutClosingLosesWhatItHeldAndClosingKeepsIt() async throws {
        for closing in [false, true] {
            let directory = try temporaryDirectory("queue-held-close")
            defer { removeDirectory(directory) }
            do {
                let queue = try await keepingUp(directory, shards: 2)
                try await queue.append([batch(0, 1), batch(1, 2), batch(0, 3)])
                #expect(queue.snapshot.heldBatches == 3)
                if closing { await queue.close() }
            }
            let reopened = try open(directory, shards: 2)
            #expect(try await markers(reopened, shard: 0) == (closing ? [1, 3] : []), "closing: \(closing)")
            #expect(try await markers(reopened, shard: 1) == (closing ? [2] : []), "closing: \(closing)")
            await reopened.close()
        }
    }

    @Test func beyondTheHeldBytesBoundEverythingHeldIsWrittenAndTheQueueWritesThrough() async throws {
        let directory = try temporaryDirectory("queue-held-bound")
        defer { removeDirectory(directory) }
        let record = 100 + QueueRecord.headerSize
        do {
            let queue = try await keepingUp(directory, shards: 2, heldBytesLimit: 3 * record)
            try await queue.append([batch(0, 1), batch(1, 2)])
            #expect(queue.snapshot.heldBatches == 2)
            try await queue.append([batch(0, 3), batch(1, 4)])
            #expect(queue.snapshot.heldBatches == 0 && queue.snapshot.batches == 4)
        }
        let reopened = try open(directory, shards: 2)
        #expect(try await markers(reopened, shard: 0) == [1, 3])
        #expect(try await markers(reopened, shard: 1) == [2, 4])
    }

    @Test func heldBatchesCountAgainstTheBoundAndTheOldestIsDropped() async throws {
        let directory = try temporaryDirectory("queue-held-full")
        defer { removeDirectory(directory) }
        let record = 100 + QueueRecord.headerSize
        let queue = try await keepingUp(directory, maxBytes: 3 * record)
        try await queue.append([batch(0, 1), batch(0, 2), batch(0, 3)])
        try await queue.append([batch(0, 4)])
        #expect(queue.snapshot.batches == 3 && queue.snapshot.bytes == 3 * record)
        #expect(queue.snapshot.heldBatches == 3)
        #expect(queue.snapshot.droppedForSpace[.v1] == 10)
        #expect(try await markers(queue, shard: 0) == [2, 3, 4])
    }

    @Test func aHeldBatchWhoseFirstAttemptGoesUnansweredPastTheBoundIsWritten() async throws {
        let directory = try temporaryDirectory("queue-held-hang")
        defer { removeDirectory(directory) }
        do {
            let queue = try await keepingUp(directory, shards: 2, writeBehind: .milliseconds(100))
            try await queue.append([batch(0, 1), batch(1, 2)])
            try await Task.sleep(for: .milliseconds(300))
            #expect(queue.snapshot.heldBatches == 2, "the bound runs from the first attempt, not from the append")
            _ = try #require(try await queue.head(shard: 0))  // the attempt begins, and is never answered
            try await waitUntil("the held batches are written", timeout: .seconds(30)) {
                queue.snapshot.heldBatches == 0
            }
        }
        let reopened = try open(directory, shards: 2)
        #expect(try await markers(reopened, shard: 0) == [1])
        #expect(try await markers(reopened, shard: 1) == [2], "every shard's held batches are written")
    }
}
