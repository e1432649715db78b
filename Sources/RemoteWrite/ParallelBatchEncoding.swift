import Dispatch

/// The batches of one collection encoded on several cores: worker `w` takes jobs w,
/// w + n, w + 2n... with its own ``BatchEncoder``; the pending samples and the encoder's
/// tables are only read while this runs, and each result slot has one writer.
final class ParallelBatchEncoding: @unchecked Sendable {
    private let jobs: [(shard: Int, range: Range<Int>)]
    private let pending: [[PendingSample]]
    private let tables: EncodingTables
    private let encoders: [BatchEncoder]
    private let protocolVersion: RemoteWriteProtocol
    private let results: UnsafeMutableBufferPointer<Result<[UInt8], RemoteWriteError>>

    init(
        jobs: [(shard: Int, range: Range<Int>)], pending: [[PendingSample]], tables: EncodingTables,
        encoders: [BatchEncoder], protocolVersion: RemoteWriteProtocol
    ) {
        self.jobs = jobs
        self.pending = pending
        self.tables = tables
        self.encoders = Array(encoders.prefix(max(1, min(encoders.count, jobs.count))))
        self.protocolVersion = protocolVersion
        results = .allocate(capacity: jobs.count)
        results.initialize(repeating: .success([]))
    }

    deinit {
        results.deinitialize()
        results.deallocate()
    }

    /// The payload of every job, in job order.
    func run() -> [Result<[UInt8], RemoteWriteError>] {
        if encoders.count > 1 {
            DispatchQueue.concurrentPerform(iterations: encoders.count) { worker in self.work(worker) }
        } else if !jobs.isEmpty {
            work(0)
        }
        return Array(results)
    }

    private func work(_ worker: Int) {
        let encoder = encoders[worker]
        var job = worker
        while job < jobs.count {
            let (shard, range) = jobs[job]
            results[job] = Result { () throws(RemoteWriteError) -> [UInt8] in
                try encoder.encode(pending[shard][range], protocolVersion: protocolVersion, tables: tables)
            }
            job += encoders.count
        }
    }
}
