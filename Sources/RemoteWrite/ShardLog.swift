import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// One shard's first-in first-out log of batches, in memory or on disk.
///
/// On disk it is a directory of append-only segment files (`<20-digit id>.seg`, layout
/// in ``QueueRecord``) and a ``QueueCursor`` file. A batch leaves the log only when it
/// is acknowledged (the receiver answered 2xx) or dropped; the cursor then moves past
/// it and segments entirely before the cursor are deleted. Opening the directory
/// replays what is left after the cursor, in order; a damaged record ends its
/// segment's readable part and is counted.
///
/// An on-disk log may also *hold* batches: keep them in memory only, after every batch
/// on disk (``hold(_:)``), until they are acknowledged or written with ``spill()``. The
/// held batches are always the newest ones, so the segment files keep the log's order and
/// a replay can never put a newer batch before an older one. Removing held batches
/// writes nothing, not even the cursor: it already points at the end of the files.
///
/// Not thread-safe: ``BatchQueue`` runs every call on its I/O queue.
final class ShardLog {
    struct Entry {
        var sequence: UInt64
        var segment: UInt64
        var offset: Int
        var recordLength: Int
        var sampleCount: Int
        var protocolVersion: RemoteWriteProtocol
        /// The payload itself when the log is in memory, or when an on-disk log holds
        /// the batch (then `segment` and `offset` mean nothing).
        var payload: [UInt8]?
    }

    let directory: String?
    private let segmentBytes: Int
    private let syncPolicy: QueueSyncPolicy
    private let logger: Logger

    private var entries: [Entry] = []
    private var head = 0
    private(set) var bytes = 0
    /// Damaged records found at replay or on read.
    private(set) var corruptRecords = 0
    private(set) var maxSequence: UInt64 = 0
    /// How many of the newest entries an on-disk log holds in memory only, and their bytes.
    private(set) var heldCount = 0
    private(set) var heldBytes = 0
    /// Bytes written to files: records, segment headers and cursors.
    private(set) var writtenBytes = 0

    private var segments: [UInt64] = []
    private var activeSegment: UInt64?
    private var activeFD: Int32 = -1
    private var activeSize = 0
    private var nextSegment: UInt64 = 1
    /// Where the next record would start if the log were read to its end.
    private var end = (segment: UInt64(0), offset: QueueRecord.segmentMagic.count)
    private var cursor: QueueCursor?
    private var cursorDirty = false
    private var lastCursorSync = ContinuousClock.now
    private var readFD: (segment: UInt64, fd: Int32)?

    /// A log in memory.
    init(logger: Logger) {
        directory = nil
        segmentBytes = .max
        syncPolicy = .never
        self.logger = logger
    }

    /// Opens (creating if needed) the log in `directory` and replays it.
    init(directory: String, segmentBytes: Int, sync: QueueSyncPolicy, logger: Logger) throws(RemoteWriteError) {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.syncPolicy = sync
        self.logger = logger
        try QueueFiles.makeDirectory(directory)
        try replay(directory)
    }

    deinit { close() }

    var count: Int { entries.count - head }
    var isEmpty: Bool { head == entries.count }
    var first: Entry? { isEmpty ? nil : entries[head] }
    /// Batches in the segment files, not yet acknowledged.
    var countOnDisk: Int { directory == nil ? 0 : count - heldCount }

    /// Whether batch `sequence` is queued and held in memory only.
    func holds(sequence: UInt64) -> Bool {
        guard heldCount > 0, let last = entries.last else { return false }
        return sequence >= entries[entries.count - heldCount].sequence && sequence <= last.sequence
    }

    // MARK: Appending

    /// Appends records, each `(sequence, batch)`, in order. On disk, batches held so far
    /// are written first (the files keep the log's order); with a sync policy other than
    /// `.never` all of them are on disk when this returns.
    func append(_ records: [(sequence: UInt64, batch: EncodedBatch)]) throws(RemoteWriteError) {
        guard let directory else {
            keepInMemory(records)
            return
        }
        try spill()
        try write(records, directory: directory)
    }

    /// Keeps records, each `(sequence, batch)`, in memory only, after every batch on disk:
    /// they go to the files with the next ``spill()`` or ``append(_:)``, or never if they
    /// are removed first. For a log in memory this is ``append(_:)``.
    func hold(_ records: [(sequence: UInt64, batch: EncodedBatch)]) {
        let before = bytes
        keepInMemory(records)
        guard directory != nil else { return }
        heldCount += records.count
        heldBytes += bytes - before
    }

    /// Writes the held batches to the segment files, in order (synced per the policy).
    /// On failure the batches not written stay held.
    func spill() throws(RemoteWriteError) {
        guard let directory, heldCount > 0 else { return }
        let held = entries.suffix(heldCount)
        let records = held.map { entry in
            (
                sequence: entry.sequence,
                batch: EncodedBatch(
                    shard: 0, protocolVersion: entry.protocolVersion, sampleCount: entry.sampleCount,
                    payload: entry.payload ?? [])
            )
        }
        entries.removeLast(heldCount)
        bytes -= heldBytes
        heldCount = 0
        heldBytes = 0
        do throws(RemoteWriteError) {
            try write(records, directory: directory)
        } catch {
            let written = entries.last?.sequence ?? 0
            hold(records.filter { $0.sequence > written })
            throw error
        }
    }

    private func keepInMemory(_ records: [(sequence: UInt64, batch: EncodedBatch)]) {
        for (sequence, batch) in records {
            let length = QueueRecord.headerSize + batch.payload.count
            entries.append(
                Entry(
                    sequence: sequence, segment: 0, offset: 0, recordLength: length, sampleCount: batch.sampleCount,
                    protocolVersion: batch.protocolVersion, payload: batch.payload))
            bytes += length
            maxSequence = max(maxSequence, sequence)
        }
    }

    private func write(_ records: [(sequence: UInt64, batch: EncodedBatch)], directory: String)
        throws(RemoteWriteError)
    {
        var buffer: [UInt8] = []
        var written: [Entry] = []
        for (sequence, batch) in records {
            let length = QueueRecord.headerSize + batch.payload.count
            let magicSize = QueueRecord.segmentMagic.count
            if activeSegment == nil
                || (activeSize + buffer.count > magicSize && activeSize + buffer.count + length > segmentBytes)
            {
                try flush(&buffer, &written, directory: directory)
                try startSegment(directory)
            }
            written.append(
                Entry(
                    sequence: sequence, segment: activeSegment!, offset: activeSize + buffer.count,
                    recordLength: length,
                    sampleCount: batch.sampleCount, protocolVersion: batch.protocolVersion, payload: nil))
            QueueRecord.append(
                to: &buffer, sequence: sequence, protocolVersion: batch.protocolVersion, sampleCount: batch.sampleCount,
                payload: batch.payload)
        }
        try flush(&buffer, &written, directory: directory)
        if syncPolicy != .never, activeFD >= 0 { try QueueFiles.sync(activeFD, path: segmentPath(activeSegment!)) }
    }

    /// Writes `buffer` to the active segment and adopts `written`; on failure cuts the
    /// segment back so that no half record stays behind.
    private func flush(_ buffer: inout [UInt8], _ written: inout [Entry], directory: String) throws(RemoteWriteError) {
        guard !buffer.isEmpty, let segment = activeSegment else { return }
        let path = segmentPath(segment)
        do throws(RemoteWriteError) {
            try QueueFiles.writeAll(activeFD, buffer, path: path)
        } catch {
            if (try? QueueFiles.truncate(activeFD, to: activeSize, path: path)) == nil { closeActiveSegment() }
            buffer.removeAll()
            written.removeAll()
            throw error
        }
        activeSize += buffer.count
        writtenBytes += buffer.count
        for entry in written {
            bytes += entry.recordLength
            maxSequence = max(maxSequence, entry.sequence)
        }
        entries.append(contentsOf: written)
        end = (segment, activeSize)
        buffer.removeAll(keepingCapacity: true)
        written.removeAll(keepingCapacity: true)
    }

    private func startSegment(_ directory: String) throws(RemoteWriteError) {
        if activeFD >= 0, syncPolicy != .never { try QueueFiles.sync(activeFD, path: segmentPath(activeSegment!)) }
        closeActiveSegment()
        let id = nextSegment
        let path = segmentPath(id)
        let fd = try QueueFiles.open(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_APPEND)
        do throws(RemoteWriteError) {
            try QueueFiles.writeAll(fd, QueueRecord.segmentMagic, path: path)
            if syncPolicy != .never { try QueueFiles.syncDirectory(directory) }
        } catch {
            Glibc.close(fd)
            try? QueueFiles.remove(path)
            throw error
        }
        writtenBytes += QueueRecord.segmentMagic.count
        nextSegment = id + 1
        segments.append(id)
        activeSegment = id
        activeFD = fd
        activeSize = QueueRecord.segmentMagic.count
        end = (id, activeSize)
    }

    private func closeActiveSegment() {
        if activeFD >= 0 { Glibc.close(activeFD) }
        activeFD = -1
        activeSegment = nil
        activeSize = 0
    }

    // MARK: Reading and removing

    /// The payload of `entry` (the first entry), or nil when its record is damaged.
    func payload(of entry: Entry) throws(RemoteWriteError) -> [UInt8]? {
        if let payload = entry.payload { return payload }
        let path = segmentPath(entry.segment)
        let fd: Int32
        if let cached = readFD, cached.segment == entry.segment {
            fd = cached.fd
        } else {
            if let cached = readFD { Glibc.close(cached.fd) }
            readFD = nil
            fd = try QueueFiles.open(path, flags: O_RDONLY)
            readFD = (entry.segment, fd)
        }
        let record = try QueueFiles.read(fd, count: entry.recordLength, at: entry.offset, path: path)
        guard record.count == entry.recordLength, let header = QueueRecord.parseHeader(record[...]),
            header.sequence == entry.sequence, QueueRecord.isIntact(record[...], header: header)
        else {
            corruptRecords += 1
            logger.error(
                "remote-write queue record damaged on disk; dropping it",
                metadata: ["queue.segment": "\(path)", "queue.offset": "\(entry.offset)"])
            return nil
        }
        return Array(record[QueueRecord.headerSize...])
    }

    /// The entry `index` places after the first, if there is one.
    func entry(at index: Int) -> Entry? {
        head + index < entries.count ? entries[head + index] : nil
    }

    /// Removes the first entry (acknowledged or dropped) and moves the cursor past it.
    @discardableResult
    func removeFirst() throws(RemoteWriteError) -> Entry? {
        try removeFirst(1).first
    }

    /// Removes the first `count` entries with one cursor update.
    @discardableResult
    func removeFirst(_ count: Int) throws(RemoteWriteError) -> [Entry] {
        let removed = Array(entries[head..<min(head + count, entries.count)])
        guard let last = removed.last else { return [] }
        head += removed.count
        var removedOnDisk = false
        for entry in removed {
            bytes -= entry.recordLength
            if directory != nil, entry.payload != nil {
                heldCount -= 1
                heldBytes -= entry.recordLength
            } else {
                removedOnDisk = true
            }
        }
        if head > 1024 && head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        } else if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        }
        // Held batches were never written, so the cursor stays where it is: after every
        // record in the files.
        guard directory != nil, removedOnDisk else { return removed }
        let position = countOnDisk > 0 ? (segment: first!.segment, offset: first!.offset) : end
        try persistCursor(
            QueueCursor(segment: position.segment, offset: position.offset, acknowledgedSequence: last.sequence))
        return removed
    }

    private func persistCursor(_ new: QueueCursor) throws(RemoteWriteError) {
        guard let directory else { return }
        let now = ContinuousClock.now
        let sync = syncPolicy == .always || (syncPolicy == .batched && now - lastCursorSync >= .seconds(1))
        try QueueFiles.replace(
            directory + "/" + QueueCursor.fileName, with: new.encoded, sync: sync, directory: directory)
        writtenBytes += new.encoded.count
        cursor = new
        cursorDirty = !sync && syncPolicy != .never
        if sync { lastCursorSync = now }
        while let oldest = segments.first, oldest < new.segment, oldest != activeSegment {
            if let cached = readFD, cached.segment == oldest {
                Glibc.close(cached.fd)
                readFD = nil
            }
            try QueueFiles.remove(segmentPath(oldest))
            segments.removeFirst()
        }
    }

    /// Syncs a cursor not synced yet and closes the files.
    func close() {
        if cursorDirty, let directory, let cursor {
            if (try? QueueFiles.replace(
                directory + "/" + QueueCursor.fileName, with: cursor.encoded, sync: true, directory: directory)) != nil
            {
                writtenBytes += cursor.encoded.count
            }
            cursorDirty = false
        }
        closeActiveSegment()
        if let cached = readFD { Glibc.close(cached.fd) }
        readFD = nil
    }

    // MARK: Replay

    private func segmentPath(_ id: UInt64) -> String {
        let digits = String(id)
        return (directory ?? "") + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
    }

    private func replay(_ directory: String) throws(RemoteWriteError) {
        let cursorPath = directory + "/" + QueueCursor.fileName
        try QueueFiles.remove(cursorPath + ".tmp")
        var ids: [UInt64] = []
        for name in try QueueFiles.list(directory) where name.hasSuffix(".seg") {
            // The next segment is numbered after the last: an id from the limit on is not one
            // this queue wrote, and is left alone.
            if let id = UInt64(name.dropLast(4)), id < QueueCursor.segmentLimit { ids.append(id) }
        }
        ids.sort()
        if let bytes = try readWholeFile(cursorPath) {
            if let decoded = QueueCursor(decoding: bytes) {
                cursor = decoded
            } else {
                corruptRecords += 1
                logger.error(
                    "remote-write queue cursor is damaged; resending everything still on disk",
                    metadata: ["queue.cursor": "\(cursorPath)"])
            }
        }
        maxSequence = cursor?.acknowledgedSequence ?? 0
        if let cursor { end = (cursor.segment, cursor.offset) }
        for id in ids {
            if let cursor, id < cursor.segment {
                try QueueFiles.remove(segmentPath(id))
                continue
            }
            segments.append(id)
            let start = cursor.map { $0.segment == id ? $0.offset : 0 } ?? 0
            try replaySegment(id, from: start)
        }
        nextSegment = max(ids.last ?? 0, cursor?.segment ?? 0) + 1
        if nextSegment > QueueCursor.segmentLimit - Self.renumberingMargin { try renumberSegments(directory) }
    }

    /// How close to ``QueueCursor/segmentLimit`` the segment ids may come before a replay
    /// renumbers them: a run numbers its new segments after the last one, and a replay
    /// ignores ids from the limit on, so a segment numbered there would be written and
    /// then never read. (Queues do not get there: 2^62 segments. A damaged or hand-made
    /// directory does; the fuzzer made one with its cursor in segment 2^62 - 1.)
    private static let renumberingMargin: UInt64 = 1 << 32

    /// Renumbers the live segments 1, 2, 3... in their order, the cursor's segment with
    /// them, and points the entries at the new names. The cursor is rewritten first: a
    /// crash before the renames leaves segments numbered after it, which the next replay
    /// reads (and resends) instead of removing them as acknowledged.
    private func renumberSegments(_ directory: String) throws(RemoteWriteError) {
        var renamed: [UInt64: UInt64] = [:]
        for (index, id) in segments.enumerated() { renamed[id] = UInt64(index + 1) }
        // A cursor in a segment without a file (not begun yet) stays after the others.
        let cursorSegment = cursor.map { renamed[$0.segment] ?? UInt64(segments.count + 1) }
        if let cursor, let cursorSegment {
            let moved = QueueCursor(
                segment: cursorSegment, offset: cursor.offset, acknowledgedSequence: cursor.acknowledgedSequence)
            try QueueFiles.replace(
                directory + "/" + QueueCursor.fileName, with: moved.encoded, sync: syncPolicy != .never,
                directory: directory)
            writtenBytes += moved.encoded.count
            self.cursor = moved
        }
        // Ascending: the i-th id is at least i + 1, so a new name is never one still in use.
        for id in segments where renamed[id] != id {
            try QueueFiles.rename(segmentPath(id), to: segmentPath(renamed[id]!))
        }
        logger.warning(
            "remote-write queue segment numbers were near their limit; renumbered from 1",
            metadata: ["queue.directory": "\(directory)", "queue.segments": "\(segments.count)"])
        segments = segments.map { renamed[$0]! }
        for index in entries.indices { entries[index].segment = renamed[entries[index].segment] ?? 0 }
        end.segment = renamed[end.segment] ?? cursorSegment ?? 0
        nextSegment = max(segments.last ?? 0, cursorSegment ?? 0) + 1
    }

    private func replaySegment(_ id: UInt64, from start: Int) throws(RemoteWriteError) {
        let path = segmentPath(id)
        guard let data = try readWholeFile(path) else { return }
        let magicSize = QueueRecord.segmentMagic.count
        guard data.count >= magicSize, Array(data[0..<magicSize]) == QueueRecord.segmentMagic else {
            corruptRecords += 1
            logger.error(
                "remote-write queue segment has no valid header; skipping it", metadata: ["queue.segment": "\(path)"])
            end = (id, data.count)
            return
        }
        var offset = max(start, magicSize)
        while offset < data.count {
            guard let header = QueueRecord.parseHeader(data[offset...]),
                offset + QueueRecord.headerSize + header.payloadLength <= data.count
            else {
                corruptRecords += 1
                logger.warning(
                    "remote-write queue segment ends in a cut-off record (an append interrupted by a crash); skipping \(data.count - offset) bytes",
                    metadata: ["queue.segment": "\(path)", "queue.offset": "\(offset)"])
                break
            }
            let length = QueueRecord.headerSize + header.payloadLength
            let record = data[offset..<(offset + length)]
            // The next batch is numbered after the last one queued, so a sequence number of
            // 2^64 - 1 is damage however good its checksum.
            guard QueueRecord.isIntact(record, header: header), header.sequence < .max,
                let protocolVersion = RemoteWriteProtocol(recordTag: header.protocolTag)
            else {
                corruptRecords += 1
                logger.error(
                    "remote-write queue record fails its checksum; skipping the rest of the segment (\(data.count - offset) bytes)",
                    metadata: ["queue.segment": "\(path)", "queue.offset": "\(offset)"])
                break
            }
            entries.append(
                Entry(
                    sequence: header.sequence, segment: id, offset: offset, recordLength: length,
                    sampleCount: header.sampleCount, protocolVersion: protocolVersion, payload: nil))
            bytes += length
            maxSequence = max(maxSequence, header.sequence)
            offset += length
        }
        end = (id, offset)
    }

    private func readWholeFile(_ path: String) throws(RemoteWriteError) -> [UInt8]? {
        let fd: Int32
        do throws(RemoteWriteError) {
            fd = try QueueFiles.open(path, flags: O_RDONLY)
        } catch {
            if case .queue(_, _, let code) = error, code == ENOENT { return nil }
            throw error
        }
        defer { Glibc.close(fd) }
        let size = try QueueFiles.size(fd, path: path)
        return try QueueFiles.read(fd, count: size, at: 0, path: path)
    }
}

extension ShardLog {
    /// Whether a batch with this sequence number is queued here.
    func contains(sequence: UInt64) -> Bool {
        guard let first, sequence >= first.sequence else { return false }
        return sequence <= maxSequence
    }
}
