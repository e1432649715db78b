import Logging

/// Log level and format.
public struct LoggingSettings: Sendable {
    public var level: Logger.Level
    public var format: LogFormat

    /// Resolves them from `layers`, recording invalid values there.
    public static func resolve(_ layers: inout SettingLayers, defaultLevel: Logger.Level) -> LoggingSettings {
        let level = layers.value(
            .logLevel, default: defaultLevel, expected: "trace, debug, info, notice, warning, error or critical"
        ) { Logger.Level(rawValue: $0) }
        let format = layers.value(.logFormat, default: .logfmt, expected: "logfmt or json") { LogFormat(rawValue: $0) }
        return LoggingSettings(level: level, format: format)
    }
}
