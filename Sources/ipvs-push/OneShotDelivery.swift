import Agent
import ArgumentParser
import Configuration
import Exposition
import Logging

/// Delivers one set of families to every configured sink and works out the exit code
/// (`once` and `send`).
struct OneShotDelivery {
    var pushgateway: PushGatewaySink?
    var remoteWrite: RemoteWriteSinks?
    /// How long the remote-write queues may take to drain.
    var flushTimeout: Duration
    /// Whether unsent batches survive in a `--queue-dir`.
    var queueOnDisk: Bool

    /// Creates the sinks; a configuration a sink refuses ends the command with exit 78.
    init(settings: AgentSettings, logger: Logger) throws {
        let sinks: DeliverySinks
        do {
            sinks = try DeliverySinks(settings: settings, logger: logger)
        } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        pushgateway = sinks.pushgateway
        remoteWrite = sinks.remoteWrite
        let timeout = settings.remoteWrite.map(\.transport.timeout).max() ?? .seconds(30)
        flushTimeout = timeout * 2
        queueOnDisk = settings.remoteWrite.contains { $0.queueDirectory != nil }
    }

    /// Pushes (one group per namespace when `splitByNamespace`) and remote-writes
    /// `families` stamped `timestampMilliseconds`; returns the exit code failures call for.
    /// `distinctSeries`: no two samples are one series (the reader checked), so remote
    /// write encodes them without remembering them.
    func deliver(
        _ families: [MetricFamily], timestampMilliseconds: Int64, splitByNamespace: Bool, inputIsUserData: Bool,
        distinctSeries: Bool = false
    ) async -> ExitCode? {
        var exitCode: ExitCode?
        if let pushgateway {
            let outcomes =
                splitByNamespace ? await pushgateway.pushByNamespace(families) : [await pushgateway.push(families)]
            if let code = PushOutcomes.report(outcomes, dataIsUserInput: inputIsUserData) {
                exitCode = PushOutcomes.more(exitCode, code)
            }
        }
        if let remoteWrite {
            let unqueued = await remoteWrite.enqueue(
                families, timestampMilliseconds: timestampMilliseconds, oneShot: distinctSeries)
            let pending = await remoteWrite.flush(deadline: .now + flushTimeout)
            let rejected = remoteWrite.rejectedSamples()
            await remoteWrite.close()
            for url in unqueued {
                StandardStreams.error("remote write to \(url): the samples could not be queued (see the log above)")
                exitCode = PushOutcomes.more(exitCode, ExitStatus.unreachable)
            }
            for url in pending {
                let fate =
                    queueOnDisk
                    ? "the unsent batches stay in --queue-dir and go out with the next run"
                    : "the unsent batches are lost (give --queue-dir to keep them for the next run)"
                StandardStreams.error("remote write to \(url): not acknowledged within \(flushTimeout); \(fate)")
                exitCode = PushOutcomes.more(exitCode, ExitStatus.unreachable)
            }
            if rejected > 0 {
                StandardStreams.error(
                    "remote write: the receiver rejected \(Int(rejected)) sample(s) (its answer is in the log above)")
                exitCode = PushOutcomes.more(exitCode, ExitStatus.rejected)
            }
        }
        return exitCode
    }
}
