import Dispatch

/// Runs independent jobs on several cores: the batches of one collection, each packed and
/// compressed by a worker with its own buffers (``BatchEncoder`` for the agent's encoder,
/// ``OneShotV1Encoder``'s writers for `send`).
enum ParallelJobs {
    /// Runs jobs `0..<count`, worker `w` of `workers` taking jobs w, w + n, w + 2n... (n
    /// workers: neighbouring jobs, of similar size, go to different cores), and returns
    /// each job's output in job order. Whatever the jobs read must not change meanwhile;
    /// each output slot has one writer.
    static func run<Worker, Output>(count: Int, workers: [Worker], _ job: (Worker, Int) -> Output) -> [Output] {
        withoutActuallyEscaping(job) { job in
            let run = Run(count: count, workers: Array(workers.prefix(max(1, min(workers.count, count)))), job: job)
            if run.workers.count > 1 {
                DispatchQueue.concurrentPerform(iterations: run.workers.count) { run.work($0) }
            } else if count > 0 {
                run.work(0)
            }
            return run.outputs.map { $0! }
        }
    }

    /// One run's workers, job and output slots, shared by its threads (hence unchecked:
    /// each slot is written by one worker, and read only after all have finished).
    private final class Run<Worker, Output>: @unchecked Sendable {
        let count: Int
        let workers: [Worker]
        let job: (Worker, Int) -> Output
        let outputs: UnsafeMutableBufferPointer<Output?>

        init(count: Int, workers: [Worker], job: @escaping (Worker, Int) -> Output) {
            self.count = count
            self.workers = workers
            self.job = job
            outputs = .allocate(capacity: count)
            outputs.initialize(repeating: nil)
        }

        deinit {
            outputs.deinitialize()
            outputs.deallocate()
        }

        func work(_ worker: Int) {
            var index = worker
            while index < count {
                outputs[index] = job(workers[worker], index)
                index += workers.count
            }
        }
    }
}
