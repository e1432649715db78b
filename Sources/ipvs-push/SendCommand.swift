import Agent
import ArgumentParser
import Exposition

/// `ipvs-push send`: push any Prometheus text or OpenMetrics file(s), the CI case.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Push Prometheus text or OpenMetrics files (or standard input) to a Pushgateway and/or remote write.",
        discussion: """
            Every input is parsed and checked completely before anything is sent: a bad line \
            gives FILE:LINE: reason and exit 65, and nothing is pushed. Text 0.0.4 is accepted \
            as Prometheus reads it, refused where the Pushgateway would store it wrongly or \
            lose part of it; what is valid but probably a mistake is sent with a warning. \
            OpenMetrics is held to its specification. Timestamps are removed \
            with a warning (the Pushgateway rejects them). Exit codes: 0 accepted; 65 bad input; \
            66 an input cannot be read; 75 unreachable after retries; 76 rejected (its answer \
            is shown); 78 invalid configuration. With --dry-run, everything is checked as for a \
            real send and what each destination would receive is printed instead of sent \
            (nothing connects); the exit code is the one a real send would have before sending.
            """)

    @Argument(help: ArgumentHelp("Exposition files to send; - (the default) reads standard input.", valueName: "file"))
    var files: [String] = []

    @Flag(help: "Check the input and print what each destination would receive; send nothing.")
    var dryRun = false

    @Option(
        help: ArgumentHelp(
            "Read every input as prometheus (text 0.0.4) or openmetrics (1.0). Default: OpenMetrics when the input's "
                + "last line is '# EOF', else text 0.0.4.",
            valueName: "format"))
    var format: ExpositionFormat?

    @OptionGroup var pushgateway: PushGatewayOptions
    @OptionGroup var remoteWrite: RemoteWriteOptions
    @OptionGroup var transport: TransportOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        try PushDestinations.validateAnyGiven(pushgateway, remoteWrite)
    }

    func run() async throws {
        let logger = logging.bootstrap(defaultLevel: .error)
        let input: ExpositionFiles.Input
        do {
            let reserved = pushgateway.url == nil ? [] : Set(["job"] + pushgateway.baseGroup().labels.map(\.name))
            input = try ExpositionFiles.read(files.isEmpty ? ["-"] : files, reservedLabels: reserved, format: format)
        } catch {
            StandardStreams.error("\(error); nothing was sent")
            switch error {
            case .unreadable: throw ExitStatus.noInput
            case .invalid: throw ExitStatus.badInput
            }
        }
        for warning in input.warnings { StandardStreams.warning(warning.description) }
        if input.timestampedSamples > 0 && pushgateway.url != nil {
            StandardStreams.warning(
                "\(input.timestampedSamples) sample(s) carried timestamps; they were removed for the Pushgateway, "
                    + "which rejects them")
        }
        let settings = try CommandSettings.resolve([pushgateway, remoteWrite, transport])
        if dryRun {
            let preview = SendPreview(settings: settings, baseGroup: settings.pushgateway?.baseGroup)
            if let code = preview.report(
                input, inputs: max(1, files.count), timestampMilliseconds: SampleClock.nowMilliseconds())
            {
                throw code
            }
            return
        }
        let delivery = try OneShotDelivery(settings: settings, logger: logger)
        // Remote write keeps each sample's own timestamp and stamps the others with now.
        if let code = await delivery.deliver(
            input.families, timestampMilliseconds: SampleClock.nowMilliseconds(), splitByNamespace: false,
            inputIsUserData: true, distinctSeries: input.seriesCount == input.sampleCount)
        {
            throw code
        }
    }
}
