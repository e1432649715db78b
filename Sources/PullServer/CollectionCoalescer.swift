import Exposition

/// Runs at most one collection of a ``MetricsSource`` at a time and hands its result to
/// every scrape that asked while it was running ("single flight").
///
/// A scrape that arrives after a collection finished starts a new one, so no scrape is
/// served data older than its own arrival. A scrape that stops waiting (its timeout
/// passed or its client went away) leaves the collection running: the kernel dump it is
/// doing cannot be interrupted anyway, and scrapes that come meanwhile join it instead
/// of piling up more dumps behind a slow one.
actor CollectionCoalescer {
    private struct Waiter {
        let continuation: CheckedContinuation<CollectionOutcome, Never>
        let timer: Task<Void, Never>
    }

    private let source: any MetricsSource
    private var waiters: [UInt64: Waiter] = [:]
    private var isCollecting = false
    private var nextWaiterID: UInt64 = 0

    /// How many collections were started since the server was created.
    private(set) var collectionsStarted = 0

    init(source: any MetricsSource) {
        self.source = source
    }

    /// Joins the running collection or starts one, and waits at most `timeout` for it.
    func collect(timeout: Duration) async -> CollectionOutcome {
        let id = nextWaiterID
        nextWaiterID &+= 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard !Task.isCancelled else {
                    continuation.resume(returning: .cancelled)
                    return
                }
                let timer = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    await self?.stopWaiting(id, outcome: .timedOut)
                }
                waiters[id] = Waiter(continuation: continuation, timer: timer)
                startCollectionIfIdle()
            }
        } onCancel: {
            Task { await self.stopWaiting(id, outcome: .cancelled) }
        }
    }

    private func startCollectionIfIdle() {
        guard !isCollecting else { return }
        isCollecting = true
        collectionsStarted += 1
        let source = self.source
        Task {
            let content = await ScrapeContent.collect(from: source)
            self.finishCollection(content)
        }
    }

    private func finishCollection(_ content: ScrapeContent) {
        isCollecting = false
        let finished = waiters
        waiters = [:]
        for waiter in finished.values {
            waiter.timer.cancel()
            waiter.continuation.resume(returning: .collected(content))
        }
    }

    private func stopWaiting(_ id: UInt64, outcome: CollectionOutcome) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.timer.cancel()
        waiter.continuation.resume(returning: outcome)
    }
}
