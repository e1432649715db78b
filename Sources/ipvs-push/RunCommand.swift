import Agent
import ArgumentParser
import Collector
import Exposition
import Logging

/// `ipvs-push run`: collect every interval and push, until SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Collect IPVS every interval and push it, until SIGTERM or SIGINT.",
        discussion: """
            On SIGTERM or SIGINT the push in flight is finished; with --delete-on-exit the \
            pushed groups are then deleted from the Pushgateway. Exits 0 after a signal.
            """)

    @Option(name: .customLong("interval"), help: "Time between collections.")
    var interval = PrometheusDuration(.seconds(15), text: "15s")

    @Flag(name: .customLong("delete-on-exit"), help: "Delete the pushed groups from the Pushgateway when stopping.")
    var deleteOnExit = false

    @OptionGroup var pushgateway: PushGatewayOptions
    @OptionGroup var transport: TransportOptions
    @OptionGroup var collection: CollectionOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard pushgateway.url != nil else { throw ValidationError("nothing to push to: give --pushgateway URL") }
        guard interval.duration >= .milliseconds(100) else { throw ValidationError("--interval must be at least 100ms") }
    }

    func run() async throws {
        let logger = logging.bootstrap()
        let sink: PushGatewaySink?
        do {
            sink = try pushgateway.makeSink(transport: transport, logger: logger)
        } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        let collector = IPVSCollector(namespaces: collection.namespaces, logger: logger)
        collector.prepare()
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
                    let families = IPVSMetrics.families(await collector.collect(), options: options)
                    _ = await sink?.pushByNamespace(families)
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
        if deleteOnExit, let sink {
            let outcomes = await sink.deletePushedGroups()
            _ = PushOutcomes.report(outcomes)
        }
    }
}
