import ArgumentParser
import Configuration
import Foundation

/// An option group whose flags are kept as the text given, so that flags, `IPVS_PUSH_*`
/// variables and the configuration file go through one parser (in the Configuration
/// module) and one precedence rule.
protocol GivenFlags {
    /// The settings given on the command line.
    var given: [SettingKey: [String]] { get }
}

extension Dictionary where Key == SettingKey, Value == [String] {
    mutating func put(_ key: SettingKey, _ value: String?) {
        if let value { self[key] = [value] }
    }

    mutating func put(_ key: SettingKey, _ values: [String]) {
        if !values.isEmpty { self[key] = values }
    }

    mutating func put(_ key: SettingKey, _ value: Bool?) {
        if let value { self[key] = [String(value)] }
    }
}

enum Environment {
    /// The process environment, read once.
    static let variables = ProcessInfo.processInfo.environment
}

extension SettingLayers {
    /// Flags and environment, no file: what `dump` and `send` read.
    init(flags: [SettingKey: [String]]) {
        self.init(flags: flags, environment: Environment.variables)
    }

    /// Throws the recorded problems as a usage error (exit 64).
    func finishAsValidation() throws {
        do {
            try finish()
        } catch {
            throw ValidationError(error.description)
        }
    }
}
