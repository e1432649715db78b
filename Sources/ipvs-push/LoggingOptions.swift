import ArgumentParser
import Logging

/// Log level for every subcommand; logs go to standard error.
struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (default: info; error for dump, once and send).")
    var logLevel: Logger.Level?

    /// Sets up swift-log once for the process and returns the root logger. A command
    /// whose errors are printed anyway (`dump`) passes a quieter default.
    func bootstrap(defaultLevel: Logger.Level = .info) -> Logger {
        let level = logLevel ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "ipvs-push")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
