import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers
import TimeUnits

#if canImport(Glibc)
    import Glibc
#endif

/// The queue of one remote-write URL: one first-in first-out ``ShardLog`` per shard,
/// on disk under a directory or in memory, bounded in bytes.
///
/// Batches leave only when acknowledged or dropped; at the bound the oldest batches of
/// the whole queue go first. All file work runs on one serial dispatch queue, never on
/// the Swift concurrency pool.
///
/// **Write-behind.** On disk, writing every batch before it is sent would write every
/// sample to disk although a healthy receiver takes it at once. So while the receiver
/// keeps up (its last answer was an acknowledgement and no batch waits in the files) a
/// new batch is only *held* in memory and sent. The held batches are written (synced per
/// the policy) as soon as anything suggests they may not be delivered soon:
///
/// - an attempt failed and will be retried (``spillHeld()``, from the sender);
/// - a held batch's first attempt is still unanswered `writeBehind` after it began (a
///   hanging receiver);
/// - the held batches would exceed `heldBytesLimit` (a receiver slower than collection);
/// - the queue is closed (graceful shutdown or reload).
///
/// Each of these writes every held batch of every shard and makes the queue write-through
/// again: from then on each batch is written before ``append(_:)`` returns, until a
/// request is acknowledged *and* the files are empty. So once the sender knows of an
/// outage, every collection is on disk before `enqueue` returns, and an outage of any
/// length and a restart (even after SIGKILL) lose nothing while the bound holds. The
/// queue starts write-through too (no acknowledgement yet).
///
/// What a SIGKILL (or a crash) can lose in the healthy state: the held batches, that is
/// batches enqueued while the receiver kept up and not acknowledged yet — at most
/// `heldBytesLimit` bytes of them, none whose request has been unanswered for longer than
/// `writeBehind`, and none once any attempt has failed. A graceful stop loses nothing.
/// Written per sample sent: nothing while the receiver keeps up (beyond the collections
/// queued before its first acknowledgement); during and after an outage, every batch once.
final class BatchQueue: @unchecked Sendable {
    let shardCount: Int
    let maxBytes: Int
    let directory: String?
    /// How long a held batch's first attempt may go unanswered before it is written;
    /// zero: nothing is held (write-through).
    let writeBehind: Duration
    /// The most bytes held in memory only.
    let heldBytesLimit: Int
    private let logger: Logger
    private let io: DispatchQueue
    // Touched only on `io`.
    private var shards: [ShardLog]
    private var nextSequence: UInt64
    /// Whether the receiver's last answer was an acknowledgement and no attempt failed
    /// since; new batches may be held only then.
    private var receiverKeepsUp = false
    /// Batches numbered below this were replayed from disk when the queue opened (1 when
    /// none was): they were encoded by an earlier sender, which may have dealt series to
    /// other shards than the current one does.
    let replayEnd: UInt64
    private var closed = false
    private var lockFD: Int32 = -1
    /// What any thread may read: the state as last published, and the drops so far.
    private struct Observed {
        var published = QueueSnapshot()
        var droppedForSpace: [RemoteWriteProtocol: Int] = [:]
        var droppedForWriteErrors: [RemoteWriteProtocol: Int] = [:]
    }

    private let observed = NIOLockedValueBox(Observed())

    /// Opens the queue. With a directory, shard logs are `shard-NNN` subdirectories;
    /// existing ones are replayed, and when they still hold batches written with a
    /// different shard count, that count stays until they are drained (moving a series
    /// to another shard could send its samples out of order). `writeBehind` and
    /// `heldBytesLimit` bound the write-behind (see the type); they matter only with a
    /// directory.
    init(
        directory: String?, shardCount requested: Int, maxBytes: Int, segmentBytes: Int, sync: QueueSyncPolicy,
        writeBehind: Duration = .zero, heldBytesLimit: Int = 0, logger: Logger, lockWait: Duration = .seconds(5)
    ) throws(RemoteWriteError) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.writeBehind = directory == nil ? .zero : writeBehind
        self.heldBytesLimit = heldBytesLimit
        self.logger = logger
        io = DispatchQueue(label: "ipvs-push.remote-write.queue")
        guard let directory else {
            shardCount = requested
            shards = (0..<requested).map { _ in ShardLog(logger: logger) }
            nextSequence = 1
            replayEnd = 1
            publish()
            return
        }
        try QueueFiles.makeDirectory(directory)
        let lockFD = try QueueFiles.lockExclusively(directory + "/lock", wait: lockWait)
        let shards: [ShardLog]
        do throws(RemoteWriteError) {
            shards = try Self.openShards(
                directory, requested: requested, segmentBytes: segmentBytes, sync: sync, logger: logger)
        } catch {
            Glibc.close(lockFD)
            throw error
        }
        let count = shards.count
        self.lockFD = lockFD
        self.shards = shards
        shardCount = count
        nextSequence = (shards.map(\.maxSequence).max() ?? 0) + 1
        replayEnd = nextSequence
        let replayed = shards.reduce(0) { $0 + $1.count }
        if replayed > 0 {
            logger.info(
                "remote-write queue replayed from disk",
                metadata: [
                    "queue.directory": "\(directory)", "queue.batches": "\(replayed)",
                    "queue.bytes": "\(shards.reduce(0) { $0 + $1.bytes })",
                ])
        }
        publish()
    }

    /// Replays the existing `shard-NNN` logs and opens the missing ones; keeps an
    /// existing shard count while its logs still hold batches.
    private static func openShards(
        _ directory: String, requested: Int, segmentBytes: Int, sync: QueueSyncPolicy, logger: Logger
    ) throws(RemoteWriteError) -> [ShardLog] {
        var existing: [Int: ShardLog] = [:]
        for name in try QueueFiles.list(directory) where name.hasPrefix("shard-") {
            guard let index = Int(name.dropFirst(6)), index >= 0, index < 4096 else { continue }
            existing[index] = try ShardLog(
                directory: Self.shardPath(directory, index), segmentBytes: segmentBytes, sync: sync, logger: logger)
        }
        let existingCount = (existing.keys.max() ?? -1) + 1
        var count = requested
        if existingCount != requested, existing.values.contains(where: { !$0.isEmpty }) {
            count = existingCount
            logger.warning(
                "remote-write queue was written with \(existingCount) shards and still holds batches; keeping \(existingCount) shards until it has been drained (\(requested) after a restart)",
                metadata: ["queue.directory": "\(directory)"])
        }
        for (index, log) in existing where index >= count {
            log.close()
            try Self.removeShardDirectory(Self.shardPath(directory, index))
            existing[index] = nil
        }
        var shards: [ShardLog] = []
        for index in 0..<count {
            if let log = existing[index] {
                shards.append(log)
            } else {
                shards.append(
                    try ShardLog(
                        directory: Self.shardPath(directory, index), segmentBytes: segmentBytes, sync: sync,
                        logger: logger))
            }
        }
        return shards
    }

    private static func shardPath(_ directory: String, _ index: Int) -> String {
        let digits = String(index)
        return directory + "/shard-" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }

    private static func removeShardDirectory(_ path: String) throws(RemoteWriteError) {
        for name in try QueueFiles.list(path) { try QueueFiles.remove(path + "/" + name) }
        try QueueFiles.removeDirectory(path)
    }

    deinit {
        for shard in shards { shard.close() }
        if lockFD >= 0 { Glibc.close(lockFD) }
    }

    // MARK: Operations (async, on the I/O queue)

    /// Appends the batches of one collection, dropping the oldest batches of the queue
    /// (or, when a batch alone exceeds the bound, that batch) to stay within
    /// `maxBytes`. Batches that cannot be written are counted and the error rethrown
    /// after the other shards were written.
    func append(_ batches: [EncodedBatch]) async throws(RemoteWriteError) {
        try await onIOQueue { () throws(RemoteWriteError) in try self.appendNow(batches) }
    }

    /// `append` for a caller already off the concurrency pool (the sender's encoder
    /// queue): blocks until the batches are written.
    func appendBlocking(_ batches: [EncodedBatch]) throws(RemoteWriteError) {
        let result: Result<Void, RemoteWriteError> = io.sync {
            guard !closed else {
                return .failure(.queue(operation: "use", path: directory ?? "(memory)", errno: EBADF))
            }
            return Result { () throws(RemoteWriteError) in try appendNow(batches) }
        }
        try result.get()
    }

    /// The oldest batch of `shard`, nil when the shard is empty. A damaged record is
    /// dropped (and counted) and the next one returned. The caller is about to send it:
    /// if it is held and still is `writeBehind` later, every held batch is written.
    func head(shard: Int) async throws(RemoteWriteError) -> QueuedBatch? {
        try await onIOQueue { () throws(RemoteWriteError) in try self.headNow(shard: shard) }
    }

    /// Removes the batch `sequence` of `shard` after the receiver acknowledged it
    /// (`acknowledged`: new batches may be held again once the files are empty) or it
    /// was given up; false when it had been dropped meanwhile.
    @discardableResult
    func remove(shard: Int, sequence: UInt64, acknowledged: Bool = false) async throws(RemoteWriteError) -> Bool {
        try await onIOQueue { () throws(RemoteWriteError) in
            if acknowledged { self.receiverKeepsUp = true }
            guard let first = self.shards[shard].first, first.sequence == sequence else { return false }
            defer { self.publish() }
            try self.shards[shard].removeFirst()
            return true
        }
    }

    /// Writes every held batch and makes the queue write-through until the receiver
    /// acknowledges a request and the files are empty: the sender's attempt failed.
    func spillHeld() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            io.async {
                if !self.closed { self.spillNow(because: "a remote-write attempt failed") }
                continuation.resume()
            }
        }
    }

    /// Writes the held batches, syncs and closes the files; the queue is unusable
    /// afterwards. (Dropping the queue without closing it writes nothing held, as a
    /// SIGKILL would.)
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            io.async {
                if !self.closed {
                    self.spillNow(because: "the queue is closing")
                    self.observed.withLockedValue { $0.published.isClosed = true }
                    for shard in self.shards { shard.close() }
                    if self.lockFD >= 0 { Glibc.close(self.lockFD) }
                    self.lockFD = -1
                    self.closed = true
                    self.publish()
                }
                continuation.resume()
            }
        }
    }

    // MARK: Observation (synchronous, from anywhere)

    var snapshot: QueueSnapshot { observed.withLockedValue { $0.published } }

    /// Whether no shard holds a batch replayed from disk any more.
    var replayDrained: Bool {
        snapshot.heads.allSatisfy { ($0 ?? .max) >= replayEnd }
    }

    /// Whether batch `sequence` of `shard` is still queued.
    func contains(shard: Int, sequence: UInt64) -> Bool {
        observed.withLockedValue {
            guard let head = $0.published.heads[shard] else { return false }
            return sequence >= head
        }
    }

    // MARK: Implementation (on the I/O queue)

    private func onIOQueue<T: Sendable>(_ body: @escaping @Sendable () throws(RemoteWriteError) -> T)
        async throws(RemoteWriteError) -> T
    {
        let result: Result<T, RemoteWriteError> = await withCheckedContinuation { continuation in
            io.async {
                guard !self.closed else {
                    continuation.resume(
                        returning: .failure(.queue(operation: "use", path: self.directory ?? "(memory)", errno: EBADF)))
                    return
                }
                continuation.resume(returning: Result(catching: body))
            }
        }
        return try result.get()
    }

    private func appendNow(_ batches: [EncodedBatch]) throws(RemoteWriteError) {
        defer { publish() }
        var incoming = batches.filter { batch in
            let size = QueueRecord.headerSize + batch.payload.count
            if size > maxBytes {
                countDropped(batch.protocolVersion, batch.sampleCount, forSpace: true)
                logger.warning(
                    "remote-write batch larger than the whole queue bound; dropped",
                    metadata: ["queue.batch_bytes": "\(size)", "queue.max_bytes": "\(maxBytes)"])
                return false
            }
            return true
        }
        var total =
            shards.reduce(0) { $0 + $1.bytes } + incoming.reduce(0) { $0 + QueueRecord.headerSize + $1.payload.count }
        // Oldest first across shards (by sequence number), counted before any file is
        // touched so that each shard moves its cursor once.
        var dropPerShard = Array(repeating: 0, count: shardCount)
        var droppedBatches = 0
        while total > maxBytes {
            var oldest: (shard: Int, entry: ShardLog.Entry)?
            for shard in shards.indices {
                if let entry = shards[shard].entry(at: dropPerShard[shard]),
                    oldest == nil || entry.sequence < oldest!.entry.sequence
                {
                    oldest = (shard, entry)
                }
            }
            if let oldest {
                dropPerShard[oldest.shard] += 1
                total -= oldest.entry.recordLength
                countDropped(oldest.entry.protocolVersion, oldest.entry.sampleCount, forSpace: true)
            } else {
                let batch = incoming.removeFirst()
                total -= QueueRecord.headerSize + batch.payload.count
                countDropped(batch.protocolVersion, batch.sampleCount, forSpace: true)
            }
            droppedBatches += 1
        }
        for (shard, count) in dropPerShard.enumerated() where count > 0 {
            try shards[shard].removeFirst(count)
        }
        if droppedBatches > 0 {
            logger.warning(
                "remote-write queue full; dropped the oldest batches",
                metadata: ["queue.dropped_batches": "\(droppedBatches)", "queue.max_bytes": "\(maxBytes)"])
        }
        var perShard: [[(sequence: UInt64, batch: EncodedBatch)]] = Array(repeating: [], count: shardCount)
        for batch in incoming {
            perShard[batch.shard % shardCount].append((nextSequence, batch))
            nextSequence += 1
        }
        let incomingBytes = incoming.reduce(0) { $0 + QueueRecord.headerSize + $1.payload.count }
        let held = shards.reduce(0) { $0 + $1.heldBytes }
        if writeBehind > .zero, receiverKeepsUp, shards.allSatisfy({ $0.countOnDisk == 0 }),
            held + incomingBytes <= heldBytesLimit
        {
            for (shard, records) in perShard.enumerated() where !records.isEmpty { shards[shard].hold(records) }
            return
        }
        if held > 0 {
            spillNow(because: "more bytes would be held in memory than \(heldBytesLimit)")
        }
        var firstError: RemoteWriteError?
        for (shard, records) in perShard.enumerated() where !records.isEmpty {
            do {
                try shards[shard].append(records)
            } catch {
                for record in records where !shards[shard].contains(sequence: record.sequence) {
                    countDropped(record.batch.protocolVersion, record.batch.sampleCount, forSpace: false)
                }
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }

    /// Writes every held batch and makes the queue write-through (see the type). A batch
    /// that cannot be written stays held and is still sent; the error is logged.
    private func spillNow(because reason: String) {
        receiverKeepsUp = false
        let held = shards.reduce(0) { $0 + $1.heldCount }
        guard held > 0 else { return }
        defer { publish() }
        logger.debug(
            "remote-write queue writes the batches held in memory: \(reason)",
            metadata: ["queue.batches": "\(held)", "queue.bytes": "\(shards.reduce(0) { $0 + $1.heldBytes })"])
        for (index, shard) in shards.enumerated() {
            do throws(RemoteWriteError) {
                try shard.spill()
            } catch {
                logger.error(
                    "remote-write queue cannot write the batches held in memory; they are sent but not kept: \(error)",
                    metadata: ["queue.shard": "\(index)"])
            }
        }
    }

    /// Writes the held batches when batch `sequence` of `shard` is still held
    /// `writeBehind` after its first attempt began (now): the receiver hangs.
    private func watchFirstAttempt(shard: Int, sequence: UInt64) {
        // Weak: a queue dropped without `close()` (as a SIGKILL would leave it) goes at
        // once, releasing its lock, instead of when the timer fires.
        io.asyncAfter(deadline: .now() + .milliseconds(Int(writeBehind.milliseconds))) { [weak self] in
            guard let self, !self.closed, self.shards[shard].holds(sequence: sequence) else { return }
            self.spillNow(because: "a request was not answered within \(self.writeBehind)")
        }
    }

    private func headNow(shard: Int) throws(RemoteWriteError) -> QueuedBatch? {
        defer { publish() }
        while let entry = shards[shard].first {
            if shards[shard].holds(sequence: entry.sequence) {
                watchFirstAttempt(shard: shard, sequence: entry.sequence)
            }
            if let payload = try shards[shard].payload(of: entry) {
                return QueuedBatch(
                    shard: shard, sequence: entry.sequence, protocolVersion: entry.protocolVersion,
                    sampleCount: entry.sampleCount, payload: payload)
            }
            try shards[shard].removeFirst()
        }
        return nil
    }

    private func countDropped(_ protocolVersion: RemoteWriteProtocol, _ samples: Int, forSpace: Bool) {
        observed.withLockedValue {
            if forSpace {
                $0.droppedForSpace[protocolVersion, default: 0] += samples
            } else {
                $0.droppedForWriteErrors[protocolVersion, default: 0] += samples
            }
        }
    }

    private func publish() {
        var snapshot = QueueSnapshot()
        for shard in shards {
            snapshot.batches += shard.count
            snapshot.bytes += shard.bytes
            snapshot.heldBatches += shard.heldCount
            snapshot.heldBytes += shard.heldBytes
            snapshot.writtenBytes += shard.writtenBytes
            snapshot.heads.append(shard.first?.sequence)
            snapshot.corruptRecords += shard.corruptRecords
        }
        observed.withLockedValue {
            snapshot.droppedForSpace = $0.droppedForSpace
            snapshot.droppedForWriteErrors = $0.droppedForWriteErrors
            snapshot.isClosed = $0.published.isClosed
            $0.published = snapshot
        }
    }
}
