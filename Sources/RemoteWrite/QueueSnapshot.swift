/// The queue's size and what it has dropped, for self metrics and `flush`.
struct QueueSnapshot: Sendable {
    var batches = 0
    var bytes = 0
    /// The sequence number of each shard's oldest batch, nil for an empty shard.
    var heads: [UInt64?] = []
    /// Of `batches` and `bytes`, those held in memory only (write-behind): what a SIGKILL
    /// would lose now.
    var heldBatches = 0
    var heldBytes = 0
    /// Bytes written to the queue directory since it was opened: records, segment headers
    /// and cursors.
    var writtenBytes = 0
    /// Damaged records found on disk (at start-up or when read).
    var corruptRecords = 0
    /// Samples of batches dropped to stay within the size bound, by protocol.
    var droppedForSpace: [RemoteWriteProtocol: Int] = [:]
    /// Samples of batches that could not be written to disk, by protocol.
    var droppedForWriteErrors: [RemoteWriteProtocol: Int] = [:]

    /// Whether `close()` was called.
    var isClosed = false

    var isEmpty: Bool { batches == 0 }
}
