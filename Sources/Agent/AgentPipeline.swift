import Collector
import Exposition
import Foundation
import Logging
import RemoteWrite

/// The long-running agent's work: one collection per interval, handed to the
/// Pushgateway, every remote-write destination and the `/metrics` endpoint; reloads
/// that swap destinations without losing what they had queued; and the flush when
/// stopping.
///
/// An actor, so a reload never runs in the middle of a cycle.
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
    private var reloadSucceeded = true
    private var lastReloadSeconds: Double
    /// The newest collection, for `/metrics` (which never triggers a collection itself).
    public nonisolated let latest = LatestFamilies()

    public init(collector: IPVSCollector, plan: AgentPlan, logger: Logger) throws {
        self.collector = collector
        self.plan = plan
        self.logger = logger
        self.lastReloadSeconds = Date().timeIntervalSince1970
        self.destinations = try plan.remoteWrite.map { try Self.start($0, logger: logger) }
    }

    /// The interval of the current plan.
    public var interval: Duration { plan.interval }

    /// One cycle: collect, then push, queue and publish.
    public func cycle() async {
        let timestamp = Self.nowMilliseconds()
        var families = IPVSMetrics.families(await collector.collect(), options: plan.metricOptions)
        families += destinations.flatMap { $0.sender.selfMetrics() }
        families += reloadMetrics()
        latest.set(families)
        if let pushgateway = plan.pushgateway {
            _ = await pushgateway.pushByNamespace(families)
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
    }

    /// Switches to `newPlan`. Destinations whose settings are unchanged keep running
    /// with their queues untouched. A removed or changed destination is drained for at
    /// most the shutdown grace and closed first; what it still holds stays in its
    /// on-disk queue, which the changed destination (same URL, same queue directory)
    /// opens again and sends. Only an in-memory queue that could not drain in time
    /// loses batches, and that is logged.
    public func apply(_ newPlan: AgentPlan) async throws {
        var kept: [Destination] = []
        var retiring: [Destination] = []
        for destination in destinations {
            if newPlan.remoteWrite.contains(where: { Self.same($0, destination.configuration) }) {
                kept.append(destination)
            } else {
                retiring.append(destination)
            }
        }
        for destination in retiring {
            await retire(destination, grace: plan.shutdownGrace)
        }
        var started: [Destination] = []
        do {
            for configuration in newPlan.remoteWrite
            where !kept.contains(where: { Self.same($0.configuration, configuration) }) {
                started.append(try Self.start(configuration, logger: logger))
            }
        } catch {
            for destination in started { await retire(destination, grace: .zero) }
            throw error
        }
        destinations = newPlan.remoteWrite.compactMap { configuration in
            (kept + started).first { Self.same($0.configuration, configuration) }
        }
        logger.info(
            "configuration applied",
            metadata: [
                "remote_write_kept": "\(kept.count)", "remote_write_started": "\(started.count)",
                "remote_write_retired": "\(retiring.count)", "interval": "\(newPlan.interval)",
            ])
        plan = newPlan
    }

    /// Records the outcome of a reload for `ipvs_push_config_last_reload_*`.
    public func recordReload(succeeded: Bool) {
        reloadSucceeded = succeeded
        if succeeded { lastReloadSeconds = Date().timeIntervalSince1970 }
    }

    /// Stops: drains every queue within the shutdown grace, closes them, and deletes
    /// the pushed groups when the plan says so.
    public func stop() async {
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
            destination.task.cancel()
            await destination.task.value
            await destination.sender.close()
        }
        destinations = []
        if plan.deleteOnExit, let pushgateway = plan.pushgateway {
            for outcome in await pushgateway.deletePushedGroups() {
                if case .failure(let error) = outcome.result {
                    logger.error("cannot delete the pushed group", metadata: ["group": "\(outcome.group.path)", "error": "\(error)"])
                }
            }
        }
    }

    private func retire(_ destination: Destination, grace: Duration) async {
        let drained = await destination.sender.flush(deadline: .now + grace)
        destination.task.cancel()
        await destination.task.value
        await destination.sender.close()
        if !drained {
            logger.warning(
                "remote-write destination changed before its queue drained",
                metadata: [
                    "url": "\(destination.configuration.redactedURL)",
                    "kept_on_disk": "\(destination.configuration.queueDirectory != nil)",
                    "batches": "\(destination.sender.queuedBatches)",
                ])
        }
    }

    private static func start(_ configuration: RemoteWriteConfiguration, logger: Logger) throws -> Destination {
        let sender = try RemoteWriteSender(configuration: configuration, logger: logger)
        return Destination(configuration: configuration, sender: sender, task: Task { await sender.run() })
    }

    /// Whether two destination configurations are the same in every setting.
    static func same(_ a: RemoteWriteConfiguration, _ b: RemoteWriteConfiguration) -> Bool {
        // Inline secrets print as "<secret>", so their hashes are compared as well.
        String(reflecting: a) == String(reflecting: b)
            && a.transport.authentication.hashValue == b.transport.authentication.hashValue
    }

    private func reloadMetrics() -> [MetricFamily] {
        [
            MetricFamily(
                name: "ipvs_push_config_last_reload_successful", type: .gauge,
                help: "Whether the last configuration reload succeeded (1) or was rejected (0).",
                samples: [Sample(name: "ipvs_push_config_last_reload_successful", labels: .empty, value: reloadSucceeded ? 1 : 0)]),
            MetricFamily(
                name: "ipvs_push_config_last_reload_success_timestamp_seconds", type: .gauge,
                help: "When the configuration was last loaded successfully (start or reload).",
                samples: [
                    Sample(
                        name: "ipvs_push_config_last_reload_success_timestamp_seconds", labels: .empty,
                        value: lastReloadSeconds.rounded())
                ]),
        ]
    }

    static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}
