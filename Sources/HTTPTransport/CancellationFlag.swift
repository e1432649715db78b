import Synchronization

/// Set by a task's cancellation handler, read by libcurl's progress callback on the
/// transfer thread, which then aborts the blocking transfer.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    func cancel() {
        cancelled.store(true, ordering: .releasing)
    }
}
