import Agent
import ArgumentParser
import Configuration
import HTTPTransport
import Logging
import PushGateway

/// The push destinations of `once`, `run` and `send`: a Pushgateway and/or remote-write URLs.
struct Sinks {
    var pushgateway: PushGatewaySink?
    var remoteWrite: RemoteWriteSinks?

    /// The check each push command's `validate()` makes: at least one destination.
    static func validateAnyGiven(_ pushgateway: PushGatewayOptions, _ remoteWrite: RemoteWriteOptions) throws {
        var layers = SettingLayers(flags: remoteWrite.given)
        guard pushgateway.url != nil || !layers.list(.remoteWrite).isEmpty else {
            throw ValidationError("nothing to push to: give --pushgateway URL and/or --remote-write URL")
        }
        _ = layers.string(.remoteWrite)
    }

    /// Creates the sinks; a configuration a sink refuses ends the command with exit 78.
    init(settings: AgentSettings, logger: Logger) throws {
        do {
            pushgateway = try settings.pushgateway.map { try Self.pushgatewaySink($0, logger: logger) }
            remoteWrite =
                settings.remoteWrite.isEmpty
                ? nil : try RemoteWriteSinks(configurations: settings.remoteWrite, logger: logger)
        } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
    }

    static func pushgatewaySink(_ settings: AgentSettings.PushgatewaySettings, logger: Logger) throws -> PushGatewaySink {
        let client = try PushGatewayClient(
            baseURL: settings.url, transport: HTTPClient(configuration: settings.transport, logger: logger),
            options: PushOptions(gzip: settings.gzip, timeout: settings.transport.timeout), logger: logger)
        return PushGatewaySink(
            client: client, baseGroup: PushGatewayOptions.baseGroup(settings), method: settings.method, logger: logger)
    }
}
