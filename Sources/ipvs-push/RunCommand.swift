import Agent
import ArgumentParser
import Configuration
import Collector
import Exposition
import Logging

/// `ipvs-push run`: collect every interval and push, until SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Collect IPVS every interval, push it and/or remote-write it, until SIGTERM or SIGINT.",
        discussion: """
            Each collection is stamped with its time and queued for every --remote-write URL \
            (on disk with --queue-dir, so outages and restarts lose nothing). On SIGTERM or \
            SIGINT the push in flight is finished, the remote-write queues get --shutdown-grace \
            to drain, and with --delete-on-exit the pushed groups are deleted from the \
            Pushgateway. Exits 0 after a signal.
            """)

    @Option(name: .customLong("interval"), help: "Time between collections.")
    var interval = PrometheusDuration(.seconds(15), text: "15s")

    @Flag(name: .customLong("delete-on-exit"), help: "Delete the pushed groups from the Pushgateway when stopping.")
    var deleteOnExit = false

    @Option(name: .customLong("shutdown-grace"), help: "How long queued remote-write batches may take to drain when stopping.")
    var shutdownGrace = PrometheusDuration(.seconds(10), text: "10s")

    @OptionGroup var pushgateway: PushGatewayOptions
    @OptionGroup var remoteWrite: RemoteWriteOptions
    @OptionGroup var transport: TransportOptions
    @OptionGroup var collection: CollectionOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        try Sinks.validateAnyGiven(pushgateway, remoteWrite)
        guard interval.duration >= .milliseconds(100) else { throw ValidationError("--interval must be at least 100ms") }
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let sinks = try Sinks(pushgateway: pushgateway, remoteWrite: remoteWrite, transport: transport, logger: logger)
        let sink = sinks.pushgateway
        let remote = sinks.remoteWrite
        let senders = remote?.start()
        let collector = IPVSCollector(namespaces: collection.namespaces, logger: logger)
        collector.prepare()
        do { try collector.restrictCapabilities() } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        let options = collection.metricOptions
        let period = interval.duration
        logger.info("running", metadata: ["interval": "\(interval)", "namespaces": "\(collection.namespaces)"])

        let loop = Task {
            let clock = ContinuousClock()
            var next = clock.now
            while !Task.isCancelled {
                // The cycle runs in a task of its own so that a stop request lets the
                // push in flight finish instead of cancelling it.
                await Task {
                    let timestamp = currentMilliseconds()
                    let families =
                        IPVSMetrics.families(await collector.collect(), options: options) + (remote?.selfMetrics() ?? [])
                    _ = await sink?.pushByNamespace(families)
                    await remote?.enqueue(families, timestampMilliseconds: timestamp)
                }.value
                next = next.advanced(by: period)
                let now = clock.now
                while next < now { next = next.advanced(by: period) }  // skip ticks a slow cycle missed
                do { try await Task.sleep(until: next, clock: clock) } catch { break }
            }
        }
        let signal = await TerminationSignals.wait()
        logger.info("stopping", metadata: ["signal": "\(signal)"])
        loop.cancel()
        await loop.value
        if let remote {
            let pending = await remote.flush(deadline: .now + shutdownGrace.duration)
            for url in pending {
                logger.warning(
                    "remote-write queue not drained before stopping",
                    metadata: ["url": "\(url)", "kept_on_disk": "\(remoteWrite.queueDirectory != nil)"])
            }
            senders?.cancel()
            await senders?.value
            await remote.close()
        }
        if deleteOnExit, let sink {
            let outcomes = await sink.deletePushedGroups()
            _ = PushOutcomes.report(outcomes)
        }
    }
}
