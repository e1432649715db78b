import Agent
import ArgumentParser
import Logging

/// The push destinations of `once`, `run` and `send`: a Pushgateway and/or remote-write URLs.
struct Sinks {
    var pushgateway: PushGatewaySink?
    var remoteWrite: RemoteWriteSinks?

    /// The check each push command's `validate()` makes: at least one destination.
    static func validateAnyGiven(_ pushgateway: PushGatewayOptions, _ remoteWrite: RemoteWriteOptions) throws {
        guard pushgateway.url != nil || !remoteWrite.urls.isEmpty else {
            throw ValidationError("nothing to push to: give --pushgateway URL and/or --remote-write URL")
        }
    }

    /// Creates the sinks; a configuration a sink refuses ends the command with exit 78.
    init(
        pushgateway options: PushGatewayOptions, remoteWrite remoteOptions: RemoteWriteOptions,
        transport: TransportOptions, logger: Logger
    ) throws {
        do {
            pushgateway = try options.makeSink(transport: transport, logger: logger)
            let configurations = remoteOptions.configurations(transport: transport)
            remoteWrite = configurations.isEmpty ? nil : try RemoteWriteSinks(configurations: configurations, logger: logger)
        } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
    }
}
