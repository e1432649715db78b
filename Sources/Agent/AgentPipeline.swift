import Collector
import Exposition
import Foundation
import IPVSMetricSet
import Logging
import RemoteWrite

/// The long-running agent's work: one collection per interval, handed to the
/// Pushgateway, every remote-write destination and the `/metrics` endpoint; reloads
/// that swap destinations without losing what they had queued; and the flush when
/// stopping.
///
/// Cycles, reloads and the stop take turns (see ``takeTurn()``): a reload never runs in
/// the middle of a cycle, so a cycle never queues into a destination being closed.
public actor AgentPipeline {
    private struct Destination {
        var configuration: RemoteWriteConfiguration
        var sender: RemoteWriteSender
        var task: Task<Void, Never>
    }

    private let collector: IPVSCollector
    private let logger: Logger
    private var plan: AgentPlan
    private var destinations: [Destination] = []
    /// The textfile directory of the plan, kept across cycles so that a bad file is
    /// logged once per change, not every cycle.
    private var textfiles: TextfileDirectory?
    private var reloadSucceeded = true
    private var lastReloadSeconds: Double
    /// Whether a cycle, a reload or the stop holds the turn, and who waits for it.
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Destinations a reload removed, draining in the background.
    private var retirements: [Task<Void, Never>] = []
    /// The Pushgateway push in flight, in a task of its own so that a slow or unreachable
    /// gateway holds up neither collection nor the other sinks, and the newest collection
    /// waiting for it (the gateway keeps only the latest, so an older waiting one is
    /// replaced).
    private var pushing: Task<Void, Never>?
    private var waitingPush: (families: [MetricFamily], sink: PushGatewaySink)?
    /// The newest collection, for `/metrics` (which never triggers a collection itself).
    public nonisolated let latest = LatestFamilies()

    public init(collector: IPVSCollector, plan: AgentPlan, logger: Logger) throws {
        self.collector = collector
        self.plan = plan
        self.logger = logger
        self.lastReloadSeconds = Date().timeIntervalSince1970
        self.destinations = try plan.remoteWrite.map { try Self.start($0, logger: logger) }
        self.textfiles = plan.textfileDirectory.map { TextfileDirectory(path: $0, logger: logger) }
    }

    /// The interval of the current plan.
    public var interval: Duration { plan.interval }

    /// One cycle: collect, publish, hand to the Pushgateway push and queue for remote write.
    public func cycle() async {
        await takeTurn()
        defer { endTurn() }
        let timestamp = SampleClock.nowMilliseconds()
        var families = IPVSMetrics.families(await collector.collect(), options: plan.metricOptions)
        if let textfiles {
            families += textfiles.read(reservedNames: Set(families.map(\.name)))
        }
        families += Self.mergedByName(destinations.flatMap { $0.sender.selfMetrics() })
        families += reloadMetrics()
        if plan.serves { latest.set(families) }
        logger.debug(
            "collected",
            metadata: [
                "timestamp_ms": "\(timestamp)", "families": "\(families.count)",
                "samples": "\(families.reduce(0) { $0 + $1.samples.count })",
            ])
        if let pushgateway = plan.pushgateway {
            push(families, to: pushgateway)
        }
        for destination in destinations {
            do {
                try await destination.sender.enqueue(families: families, timestampMilliseconds: timestamp)
            } catch {
                logger.error(
                    "cannot queue for remote write",
                    metadata: ["url": "\(destination.configuration.redactedURL)", "error": "\(error)"])
            }
        }
        // The collection's working memory is freed now (but the newest families, kept for
        // /metrics); without this, glibc keeps most of it mapped until the next cycle.
        ProcessHeap.releaseFreePages()
    }

    /// Switches to `newPlan`. Destinations whose settings are unchanged keep running
    /// with their queues untouched. A changed destination that keeps its on-disk queue
    /// (same URL, same queue directory) is closed at once, without waiting for its
    /// receiver, and its replacement opens the queue again and sends what it holds. A
    /// removed destination, or one whose queue does not carry over (in memory, another
    /// directory), drains for at most the shutdown grace after the new plan runs, so that
    /// a receiver that is down never holds up collection; only an in-memory queue that
    /// could not drain in time loses batches, and that is logged.
    ///
    /// When a new destination cannot start (its queue directory cannot be opened), the
    /// running plan stays as it was and the error is thrown.
    public func apply(_ newPlan: AgentPlan) async throws {
        await takeTurn()
        var kept: [Destination] = []
        var reopened: [Destination] = []
        var draining: [Destination] = []
        for destination in destinations {
            if newPlan.remoteWrite.contains(where: { Self.same($0, destination.configuration) }) {
                kept.append(destination)
            } else if newPlan.remoteWrite.contains(where: { Self.sameQueue($0, destination.configuration) }) {
                reopened.append(destination)
            } else {
                draining.append(destination)
            }
        }
        // The replacements open the same queue directories: the old senders let go first,
        // each once its requests in flight are answered (within the remote timeout), so
        // that no batch the receiver stored is sent again by the replacement.
        for destination in reopened { await Self.close(destination, afterRequestsInFlight: true) }
        var started: [Destination] = []
        do {
            for configuration in newPlan.remoteWrite
            where !kept.contains(where: { Self.same($0.configuration, configuration) }) {
                started.append(try Self.start(configuration, logger: logger))
            }
        } catch {
            for destination in started { await Self.close(destination) }
            var restored: [Destination] = []
            for destination in destinations {
                if reopened.contains(where: { $0.sender === destination.sender }) {
                    do {
                        restored.append(try Self.start(destination.configuration, logger: logger))
                    } catch {
                        logger.error(
                            "remote-write destination cannot be opened again after a failed reload; it is left out",
                            metadata: ["url": "\(destination.configuration.redactedURL)", "error": "\(error)"])
                    }
                } else {
                    restored.append(destination)
                }
            }
            destinations = restored
            endTurn()
            throw error
        }
        destinations = newPlan.remoteWrite.compactMap { configuration in
            (kept + started).first { Self.same($0.configuration, configuration) }
        }
        if newPlan.textfileDirectory != plan.textfileDirectory {
            textfiles = newPlan.textfileDirectory.map { TextfileDirectory(path: $0, logger: logger) }
        }
        let grace = plan.shutdownGrace
        plan = newPlan
        logger.info(
            "configuration applied",
            metadata: [
                "remote_write_kept": "\(kept.count)", "remote_write_started": "\(started.count)",
                "remote_write_reopened": "\(reopened.count)", "remote_write_retired": "\(draining.count)",
                "interval": "\(newPlan.interval)",
            ])
        if !draining.isEmpty {
            // In the background: cycles and later reloads go on meanwhile (none of them
            // queues into these any more); stop() waits for it.
            let logger = logger
            retirements.append(
                Task {
                    for destination in draining { await Self.retire(destination, grace: grace, logger: logger) }
                })
        }
        endTurn()
    }

    /// Records the outcome of a reload for `ipvs_push_config_last_reload_*`.
    public func recordReload(succeeded: Bool) {
        reloadSucceeded = succeeded
        if succeeded { lastReloadSeconds = Date().timeIntervalSince1970 }
    }

    /// Stops: drains every queue within the shutdown grace, closes them, waits for the
    /// destinations reloads removed to finish draining and for the Pushgateway push in
    /// flight (at most until the grace ends), and deletes the pushed groups when the plan
    /// says so.
    public func stop() async {
        await takeTurn()
        defer { endTurn() }
        let deadline = ContinuousClock.now + plan.shutdownGrace
        for destination in destinations {
            let drained = await destination.sender.flush(deadline: deadline)
            if !drained {
                logger.warning(
                    "remote-write queue not drained before stopping",
                    metadata: [
                        "url": "\(destination.configuration.redactedURL)",
                        "kept_on_disk": "\(destination.configuration.queueDirectory != nil)",
                        "batches": "\(destination.sender.queuedBatches)",
                    ])
            }
            await Self.close(destination)
        }
        destinations = []
        // Destinations a reload removed: each drains within the grace it got then.
        for retirement in retirements { await retirement.value }
        retirements = []
        // The last push (and the newest collection waiting for it), until the deadline; then
        // it is cancelled. Before the groups are deleted, so that no push re-creates one.
        if let pushing {
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                pushing.cancel()
            }
            await pushing.value
            timer.cancel()
        }
        if plan.deleteOnExit, let pushgateway = plan.pushgateway {
            for outcome in await pushgateway.deletePushedGroups() {
                if case .failure(let error) = outcome.result {
                    logger.error(
                        "cannot delete the pushed group",
                        metadata: ["group": "\(outcome.group.path)", "error": "\(error)"])
                }
            }
        }
    }

    /// Pushes `families` now, or after the push in flight (replacing a collection that
    /// already waits for it). Pushes happen one at a time, in the order of collection.
    private func push(_ families: [MetricFamily], to sink: PushGatewaySink) {
        guard pushing == nil else {
            if waitingPush != nil {
                logger.debug("Pushgateway push still in flight; the waiting collection is replaced by a newer one")
            }
            waitingPush = (families, sink)
            return
        }
        pushing = Task { await self.pushInOrder(families, to: sink) }
    }

    private func pushInOrder(_ families: [MetricFamily], to sink: PushGatewaySink) async {
        var next: (families: [MetricFamily], sink: PushGatewaySink)? = (families, sink)
        while let current = next, !Task.isCancelled {
            _ = await current.sink.pushByNamespace(current.families)
            next = waitingPush
            waitingPush = nil
        }
        waitingPush = nil
        pushing = nil
    }

    /// Waits until no other cycle, reload or stop runs, then holds the turn until
    /// ``endTurn()``. An actor alone is not enough: at each suspension point (sending,
    /// draining) another call could run, and a cycle would then queue into a
    /// destination that a reload is closing, losing that collection for it.
    private func takeTurn() async {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
    }

    /// Hands the turn to the longest waiting call, or frees it.
    private func endTurn() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }

    private static func retire(_ destination: Destination, grace: Duration, logger: Logger) async {
        let drained = await destination.sender.flush(deadline: .now + grace)
        await close(destination)
        if !drained {
            logger.warning(
                "remote-write destination removed or changed before its queue drained",
                metadata: [
                    "url": "\(destination.configuration.redactedURL)",
                    "kept_on_disk": "\(destination.configuration.queueDirectory != nil)",
                    "batches": "\(destination.sender.queuedBatches)",
                ])
        }
    }

    /// Stops the destination's sending task and closes its queue (on disk, what it holds
    /// stays there). With `afterRequestsInFlight`, a request being sent is answered first,
    /// unless that takes longer than the remote timeout.
    private static func close(_ destination: Destination, afterRequestsInFlight: Bool = false) async {
        let task = destination.task
        if afterRequestsInFlight {
            destination.sender.stopAfterRequestsInFlight()
            let bound = destination.configuration.transport.timeout + .seconds(1)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await task.value }
                group.addTask {
                    try? await Task.sleep(for: bound)
                    task.cancel()
                }
                await group.next()
                group.cancelAll()
            }
        }
        task.cancel()
        await task.value
        await destination.sender.close()
    }

    private static func start(_ configuration: RemoteWriteConfiguration, logger: Logger) throws -> Destination {
        let sender = try RemoteWriteSender(configuration: configuration, logger: logger)
        return Destination(configuration: configuration, sender: sender, task: Task { await sender.run() })
    }

    /// Whether both have one on-disk queue: the same URL and the same queue directory.
    static func sameQueue(_ a: RemoteWriteConfiguration, _ b: RemoteWriteConfiguration) -> Bool {
        a.url == b.url && a.queueDirectory != nil && a.queueDirectory == b.queueDirectory
    }

    /// Whether two destination configurations are the same in every setting.
    static func same(_ a: RemoteWriteConfiguration, _ b: RemoteWriteConfiguration) -> Bool {
        // Inline secrets print as "<secret>", so their hashes are compared as well.
        String(reflecting: a) == String(reflecting: b)
            && a.transport.authentication.hashValue == b.transport.authentication.hashValue
    }

    /// One family per name, with the samples of every family of that name in order.
    /// Each remote-write sender reports its own families (its samples labelled with its
    /// URL); with two destinations the names would repeat, and an exposition with a
    /// family twice is invalid (the Pushgateway refuses it: "second HELP line").
    static func mergedByName(_ families: [MetricFamily]) -> [MetricFamily] {
        var merged: [MetricFamily] = []
        var positions: [String: Int] = [:]
        for family in families {
            if let position = positions[family.name] {
                merged[position].samples += family.samples
            } else {
                positions[family.name] = merged.count
                merged.append(family)
            }
        }
        return merged
    }

    private func reloadMetrics() -> [MetricFamily] {
        [
            Self.reloadSuccessful.family(reloadSucceeded ? 1 : 0),
            Self.reloadSuccessTimestamp.family(lastReloadSeconds.rounded()),
        ]
    }

    static let reloadSuccessful = MetricDescriptor(
        "ipvs_push_config_last_reload_successful", .gauge,
        help: "Whether the last configuration reload succeeded (1) or was rejected (0).")
    static let reloadSuccessTimestamp = MetricDescriptor(
        "ipvs_push_config_last_reload_success_timestamp_seconds", .gauge,
        help: "When the configuration was last loaded successfully (start or reload).")
}
