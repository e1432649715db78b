import ArgumentParser
import Configuration

/// `ipvs-push check-config FILE`: like `promtool check config`, for CI and for
/// `ExecReload` guards.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a configuration file: exit 0, or print every problem with its line and column and exit 78.",
        discussion: """
            Checks what can be checked without running: YAML syntax, unknown keys, types, \
            values, the settings that go together, and that the files it names (passwords, \
            certificates, web config) can be read. Environment variables are not applied.
            """)

    @Argument(help: ArgumentHelp("The configuration file.", valueName: "file"))
    var file: String

    func run() throws {
        let configuration: AgentConfigFile
        do {
            configuration = try AgentConfigFile.load(path: file)
        } catch {
            StandardStreams.error(error.description)
            throw ExitStatus.configuration
        }
        do {
            let settings = try AgentSettings.resolve(flags: [:], environment: [:], file: configuration)
            var problems = settings.fileProblems()
            if settings.pushgateway == nil && settings.remoteWrite.isEmpty && settings.serve == nil {
                problems.append("\(file): nothing to do: configure pushgateway, remote_write and/or serve")
            }
            guard problems.isEmpty else {
                StandardStreams.error(problems.joined(separator: "\n"))
                throw ExitStatus.configuration
            }
        } catch let error as SettingsError {
            StandardStreams.error(error.description)
            throw ExitStatus.configuration
        }
        print("\(file): OK")
    }
}
