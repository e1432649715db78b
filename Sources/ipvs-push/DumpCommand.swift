import ArgumentParser
import Collector
import Configuration
import Exposition
import IPVSMetricSet
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `ipvs-push dump`: prints every virtual service and real server once.
struct DumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print every IPVS virtual service and real server as metrics, then exit.",
        discussion: """
            Reads the agent's own network namespace (unless --no-host-namespace) and each \
            --namespace-path. Exits 0 when every namespace was read, 69 when any could not be \
            read (the output still shows the others, with ipvs_up 0 for the failed ones).
            """)

    @OptionGroup var collection: CollectionOptions
    @OptionGroup var logging: LoggingOptions

    @Option(name: .customLong("format"), help: "prometheus (text 0.0.4) or openmetrics.")
    var format: ExpositionFormat = .prometheus

    func run() async throws {
        let logger = logging.bootstrap(defaultLevel: .error)
        let settings = collection.settings
        let (collector, _) = try await settings.namedCollector(logger: logger)
        let reading = await collector.collect()
        // Rendered straight from the collection and written in pieces: at 10,000 services
        // the document is over 100 MB and the metric families alone over 40 MB.
        var document = IPVSMetrics.document(reading, options: settings.metricOptions, format: format)
        document.write(inPiecesOf: 256 * 1024) { piece in
            StandardStreams.write(piece, to: STDOUT_FILENO)
        }
        var failed = false
        for case .failure(let error) in reading.namespaces.map(\.result) {
            StandardStreams.error("\(error)")
            failed = true
        }
        if failed { throw ExitStatus.collectionFailed }
    }
}

extension ExpositionFormat: ExpressibleByArgument {}
