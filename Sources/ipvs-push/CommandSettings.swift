import Agent
import ArgumentParser
import Configuration
import Logging

/// Resolves a command's settings from its flags, the `IPVS_PUSH_*` variables and,
/// for `run` and `serve`, the configuration file; prints every problem and exits 78
/// (configuration) or 64 (usage: only flags and variables were wrong).
enum CommandSettings {
    static func resolve(
        _ groups: [any GivenFlags], extra: [SettingKey: [String]] = [:], configFile: String? = nil,
        defaults: AgentSettings.Defaults = AgentSettings.Defaults()
    ) throws -> AgentSettings {
        var flags = extra
        for group in groups { flags.merge(group.given) { _, new in new } }
        let file = try load(configFile)
        do {
            return try AgentSettings.resolve(
                flags: flags, environment: Environment.variables, file: file, defaults: defaults)
        } catch {
            StandardStreams.error(error.description)
            throw error.involvesFile ? ExitStatus.configuration : ExitStatus.usage
        }
    }

    /// The configuration file named by `--config` or `IPVS_PUSH_CONFIG`, read and checked.
    static func load(_ flag: String?) throws -> AgentConfigFile? {
        guard let path = flag ?? Environment.variables["IPVS_PUSH_CONFIG"] else { return nil }
        do {
            return try AgentConfigFile.load(path: path)
        } catch {
            StandardStreams.error(error.description)
            throw ExitStatus.configuration
        }
    }
}
