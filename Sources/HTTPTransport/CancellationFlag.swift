import Foundation

/// Set by a task's cancellation handler, read by libcurl's progress callback on the
/// transfer thread, which then aborts the blocking transfer.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    var isCancelled: Bool {
        lock.withLock { cancelled }
    }

    func cancel() {
        lock.withLock { cancelled = true }
    }
}
