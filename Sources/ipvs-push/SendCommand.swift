import Agent
import ArgumentParser
import Exposition

/// `ipvs-push send`: push any Prometheus text or OpenMetrics file(s), the CI case.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Push Prometheus text or OpenMetrics files (or standard input) once.",
        discussion: """
            Every input is parsed and checked completely before anything is sent: a bad line \
            gives FILE:LINE: reason and exit 65, and nothing is pushed. Timestamps are removed \
            with a warning (the Pushgateway rejects them). Exit codes: 0 accepted; 65 bad input; \
            66 an input cannot be read; 75 unreachable after retries; 76 rejected (its answer \
            is shown); 78 invalid configuration.
            """)

    @Argument(help: ArgumentHelp("Exposition files to send; - (the default) reads standard input.", valueName: "file"))
    var files: [String] = []

    @OptionGroup var pushgateway: PushGatewayOptions
    @OptionGroup var transport: TransportOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard pushgateway.url != nil else { throw ValidationError("nothing to push to: give --pushgateway URL") }
    }

    func run() async throws {
        let logger = logging.bootstrap(defaultLevel: .error)
        let input: ExpositionFiles.Input
        do {
            let reserved = Set(["job"] + pushgateway.baseGroup().labels.map(\.name))
            input = try ExpositionFiles.read(files.isEmpty ? ["-"] : files, reservedLabels: reserved)
        } catch {
            StandardStreams.error("\(error); nothing was sent")
            switch error {
            case .unreadable: throw ExitStatus.noInput
            case .invalid: throw ExitStatus.badInput
            }
        }
        if input.timestampedSamples > 0 {
            StandardStreams.warning(
                "\(input.timestampedSamples) sample(s) carried timestamps; they were removed because the Pushgateway rejects them")
        }
        let sink: PushGatewaySink?
        do {
            sink = try pushgateway.makeSink(transport: transport, logger: logger)
        } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        if let sink {
            let outcome = await sink.push(input.families)
            if let code = PushOutcomes.report([outcome], dataIsUserInput: true) { throw code }
        }
    }
}
