import Logging
import ServiceLifecycle
import UnixSignals

/// The collection loop of `run` as a swift-service-lifecycle service: one cycle per
/// interval until the service group shuts down gracefully (SIGTERM, SIGINT), then the
/// queues are flushed within the grace period. SIGHUP asks `reload` for a new plan; a
/// rejected one (invalid file) is logged and the running plan kept.
public struct AgentService: Service {
    let pipeline: AgentPipeline
    let reload: @Sendable () async throws -> AgentPlan
    let logger: Logger

    public init(pipeline: AgentPipeline, logger: Logger, reload: @escaping @Sendable () async throws -> AgentPlan) {
        self.pipeline = pipeline
        self.reload = reload
        self.logger = logger
    }

    /// The service reloading through `reload` on SIGHUP.
    public init(pipeline: AgentPipeline, logger: Logger, reload: ConfigurationReload) {
        self.init(pipeline: pipeline, logger: logger) { try await reload.nextPlan() }
    }

    public func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let pipeline = self.pipeline
        let reload = self.reload
        let logger = self.logger
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in hangups {
                    logger.info("reloading the configuration", metadata: ["signal": "SIGHUP"])
                    do {
                        try await pipeline.apply(try await reload())
                        await pipeline.recordReload(succeeded: true)
                    } catch {
                        await pipeline.recordReload(succeeded: false)
                        logger.error(
                            "configuration reload rejected; the running configuration is kept",
                            metadata: ["error": "\(error)"])
                    }
                }
            }
            let clock = ContinuousClock()
            var next = clock.now
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await pipeline.cycle()
                let interval = await pipeline.interval
                next = next.advanced(by: interval)
                let now = clock.now
                while next < now { next = next.advanced(by: interval) }  // skip ticks a slow cycle missed
                let wake = next
                try? await cancelWhenGracefulShutdown { try await Task.sleep(until: wake, clock: clock) }
            }
            group.cancelAll()
        }
        logger.info("stopping: draining the remote-write queues")
        await pipeline.stop()
    }
}
