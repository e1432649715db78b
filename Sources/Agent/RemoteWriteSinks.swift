import Exposition
import Logging
import RemoteWrite

/// Every remote-write destination of the agent, each with its own queue, driven together.
public final class RemoteWriteSinks: Sendable {
    public let senders: [RemoteWriteSender]
    private let logger: Logger

    public init(configurations: [RemoteWriteConfiguration], logger: Logger) throws {
        self.senders = try configurations.map { try RemoteWriteSender(configuration: $0, logger: logger) }
        self.logger = logger
    }

    public var isEmpty: Bool { senders.isEmpty }

    /// Queues one collection for every destination. Returns the destinations that could
    /// not queue it (their error is logged). `oneShot`: see
    /// ``RemoteWriteSender/enqueue(families:timestampMilliseconds:oneShot:)``.
    @discardableResult
    public func enqueue(_ families: [MetricFamily], timestampMilliseconds: Int64, oneShot: Bool = false) async
        -> [String]
    {
        var failed: [String] = []
        for sender in senders {
            do {
                try await sender.enqueue(
                    families: families, timestampMilliseconds: timestampMilliseconds, oneShot: oneShot)
            } catch {
                logger.error(
                    "cannot queue for remote write",
                    metadata: ["url": "\(sender.configuration.redactedURL)", "error": "\(error)"])
                failed.append(sender.configuration.redactedURL)
            }
        }
        return failed
    }

    /// Waits until every queue is empty or `deadline` passes (draining them itself when
    /// no `start()` task runs); returns the destinations that still hold batches.
    public func flush(deadline: ContinuousClock.Instant) async -> [String] {
        var pending: [String] = []
        for sender in senders where !(await sender.flush(deadline: deadline)) {
            pending.append(sender.configuration.redactedURL)
        }
        return pending
    }

    public func close() async {
        for sender in senders { await sender.close() }
    }

    /// The senders' own counters (sent, failed, dropped by reason, retries, queue size).
    public func selfMetrics() -> [MetricFamily] {
        senders.flatMap { $0.selfMetrics() }
    }

    /// Samples the receivers refused with a 4xx (dropped, not retried), over all destinations.
    public func rejectedSamples() -> Int {
        senders.reduce(0) { $0 + $1.samplesRejectedByReceiver }
    }
}
