import ArgumentParser
import Configuration

/// The push commands' (`once`, `run`, `send`) destination flags; the sinks themselves
/// are the agent's (``DeliverySinks``).
enum PushDestinations {
    /// The check each push command's `validate()` makes: at least one destination.
    static func validateAnyGiven(_ pushgateway: PushGatewayOptions, _ remoteWrite: RemoteWriteOptions) throws {
        var layers = SettingLayers(flags: remoteWrite.given)
        guard pushgateway.url != nil || !layers.list(.remoteWrite).isEmpty else {
            throw ValidationError("nothing to push to: give --pushgateway URL and/or --remote-write URL")
        }
        _ = layers.string(.remoteWrite)
    }
}
