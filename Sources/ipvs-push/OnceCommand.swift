import Agent
import ArgumentParser
import Collector
import Configuration
import Exposition
import IPVSMetricSet

/// `ipvs-push once`: collect and push one time, with an exit code that tells what happened.
struct OnceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "once",
        abstract: "Collect IPVS once, push it to a Pushgateway and/or remote-write it, then exit.",
        discussion: """
            Each namespace is pushed as its own group (grouping label `namespace`). Exit codes: \
            0 every push accepted; 69 a namespace could not be read (the others were pushed); \
            75 the receiver was unreachable after retries; 76 the receiver rejected the push \
            (its answer is shown); 78 invalid configuration.
            """)

    @OptionGroup var pushgateway: PushGatewayOptions
    @OptionGroup var remoteWrite: RemoteWriteOptions
    @OptionGroup var transport: TransportOptions
    @OptionGroup var collection: CollectionOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        try PushDestinations.validateAnyGiven(pushgateway, remoteWrite)
    }

    func run() async throws {
        let settings = try CommandSettings.resolve(
            [pushgateway, remoteWrite, transport, collection, logging], defaults: .init(logLevel: .error))
        let logger = LoggingOptions.bootstrap(level: settings.logging.level, format: settings.logging.format)
        let delivery = try OneShotDelivery(settings: settings, logger: logger)
        let timestamp = SampleClock.nowMilliseconds()
        let (collector, _) = try await settings.collection.namedCollector(logger: logger)
        let collections = await collector.collect()
        var exitCode: ExitCode?
        for case .failure(let error) in collections.namespaces.map(\.result) {
            StandardStreams.error("\(error)")
            exitCode = ExitStatus.collectionFailed
        }
        let families = IPVSMetrics.families(collections, options: settings.collection.metricOptions)
        if let code = await delivery.deliver(
            families, timestampMilliseconds: timestamp, splitByNamespace: true, inputIsUserData: false)
        {
            exitCode = PushOutcomes.more(exitCode, code)
        }
        if let exitCode { throw exitCode }
    }
}
