import Agent
import ArgumentParser
import Logging

/// Log level and format for every subcommand; logs go to standard error.
struct LoggingOptions: ParsableArguments {
    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (default: info; error for dump, once and send).")
    var logLevel: Logger.Level?

    @Option(name: .customLong("log-format"), help: "logfmt or json.")
    var logFormat: LogFormat = .logfmt

    /// Sets up swift-log once for the process and returns the root logger. A command
    /// whose errors are printed anyway (`dump`) passes a quieter default.
    func bootstrap(defaultLevel: Logger.Level = .info) -> Logger {
        let level = logLevel ?? defaultLevel
        let format = logFormat
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, format: format, level: level)
        }
        return Logger(label: "ipvs-push")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
