import Agent
import ArgumentParser
import Configuration
import Logging

/// Log level and format for every subcommand; logs go to standard error.
struct LoggingOptions: ParsableArguments, GivenFlags {
    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (default: info; error for dump, once and send).")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "logfmt or json (default: logfmt).")
    var logFormat: String?

    var given: [SettingKey: [String]] {
        var flags: [SettingKey: [String]] = [:]
        flags.put(.logLevel, logLevel)
        flags.put(.logFormat, logFormat)
        return flags
    }

    func validate() throws {
        var layers = SettingLayers(flags: given)
        _ = LoggingSettings.resolve(&layers, defaultLevel: .info)
        try layers.finishAsValidation()
    }

    /// Sets up swift-log once for the process and returns the root logger. A command
    /// whose errors are printed anyway (`dump`) passes a quieter default.
    func bootstrap(defaultLevel: Logger.Level = .info) -> Logger {
        var layers = SettingLayers(flags: given)
        let settings = LoggingSettings.resolve(&layers, defaultLevel: defaultLevel)
        return Self.bootstrap(level: settings.level, format: settings.format)
    }

    static func bootstrap(level: Logger.Level, format: LogFormat) -> Logger {
        LoggingSystem.bootstrap { label in
            StructuredLogHandler(label: label, format: format, level: level)
        }
        return Logger(label: "ipvs-push")
    }
}
