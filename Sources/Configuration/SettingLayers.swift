/// The three places a setting can come from (flags, `IPVS_PUSH_*` variables, the
/// configuration file), read in that order of precedence. Values are text in every
/// layer and parsed by one parser, so an invalid value gets the same message wherever
/// it was written, naming where that was.
///
/// Problems are collected, not thrown one at a time: ``finish()`` throws them all.
public struct SettingLayers: Sendable {
    /// The values given as flags, by setting (a `--no-` flag is `["false"]`).
    public var flags: [SettingKey: [String]]
    /// The process environment (only `IPVS_PUSH_*` names are read).
    public var environment: [String: String]
    /// The values the configuration file gives.
    public var file: [SettingKey: FileSetting]
    private(set) var problems: [SettingsError.Problem] = []

    /// A value from the configuration file, with its position.
    public struct FileSetting: Sendable {
        public var values: [String]
        public var origin: SettingOrigin

        public init(values: [String], origin: SettingOrigin) {
            self.values = values
            self.origin = origin
        }
    }

    public init(flags: [SettingKey: [String]], environment: [String: String], file: [SettingKey: FileSetting] = [:]) {
        self.flags = flags
        self.environment = environment
        self.file = file
    }

    /// The winning layer's values for `key`, or nil when no layer sets it.
    public func raw(_ key: SettingKey) -> (values: [String], origin: SettingOrigin)? {
        if let values = flags[key], !values.isEmpty { return (values, .flag(key.flag)) }
        if let text = environment[key.environmentVariable] {
            let values: [String] =
                switch key.shape {
                case .list, .pairs:
                    text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
                case .single, .bool:
                    [text]
                }
            return (values, .environment(key.environmentVariable))
        }
        if let setting = file[key] { return (setting.values, setting.origin) }
        return nil
    }

    /// Whether any layer sets `key`.
    public func isSet(_ key: SettingKey) -> Bool { raw(key) != nil }

    /// Records a problem about the value `origin` gave.
    public mutating func problem(_ origin: SettingOrigin, _ message: String) {
        problems.append(SettingsError.Problem(origin: origin, message: message))
    }

    /// The single value of `key` parsed by `parse`, or `defaultValue` when no layer sets
    /// it or the value is invalid (the problem is recorded; `finish()` throws it).
    public mutating func value<T>(
        _ key: SettingKey, default defaultValue: T, expected: String, _ parse: (String) -> T?
    ) -> T {
        optional(key, expected: expected, parse) ?? defaultValue
    }

    /// The single value of `key` parsed by `parse`; nil when unset or invalid.
    public mutating func optional<T>(_ key: SettingKey, expected: String, _ parse: (String) -> T?) -> T? {
        guard let (values, origin) = raw(key) else { return nil }
        guard values.count == 1, let text = values.first else {
            problem(origin, "give one value, not \(values.count)")
            return nil
        }
        guard let value = parse(text) else {
            problem(origin, "\"\(text)\" is not \(expected)")
            return nil
        }
        return value
    }

    /// A text setting.
    public mutating func string(_ key: SettingKey) -> String? {
        optional(key, expected: "a value") { $0 }
    }

    /// A `true`/`false` setting (`1`/`0` also work in the environment).
    public mutating func bool(_ key: SettingKey, default defaultValue: Bool) -> Bool {
        value(key, default: defaultValue, expected: "true or false") { text in
            switch text.lowercased() {
            case "true", "1": true
            case "false", "0": false
            default: nil
            }
        }
    }

    /// A duration setting (`15s`, `1m30s`).
    public mutating func duration(_ key: SettingKey, default defaultValue: Duration, minimum: Duration = .zero)
        -> Duration
    {
        guard let (values, origin) = raw(key) else { return defaultValue }
        let value = value(key, default: defaultValue, expected: "a duration such as 15s, 1m30s or 500ms") {
            PrometheusDuration.parse($0)
        }
        if value < minimum {
            problem(origin, "must be at least \(PrometheusDuration.format(minimum)), not \(values.first ?? "")")
            return defaultValue
        }
        return value
    }

    /// The values of a list setting; `[]` when unset.
    public func list(_ key: SettingKey) -> [String] {
        raw(key)?.values ?? []
    }

    /// The `NAME=VALUE` pairs of a pairs setting; `[]` when unset.
    public mutating func pairs(_ key: SettingKey) -> [(name: String, value: String)] {
        guard let (values, origin) = raw(key) else { return [] }
        var pairs: [(name: String, value: String)] = []
        for text in values {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                problem(origin, "\"\(text)\" is not NAME=VALUE")
                continue
            }
            pairs.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
        }
        return pairs
    }

    /// The origin to name in a problem about `key` (the default when nothing sets it).
    public func origin(of key: SettingKey) -> SettingOrigin {
        raw(key)?.origin ?? .defaultValue
    }

    /// Throws every recorded problem.
    public func finish() throws(SettingsError) {
        if !problems.isEmpty { throw SettingsError(problems: problems) }
    }
}

/// Invalid settings from flags, the environment or the configuration file, each line
/// naming where the value came from.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    /// One invalid value and where it was given.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var origin: SettingOrigin
        public var message: String

        public var description: String { "\(origin): \(message)" }
    }

    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    /// Whether any problem is in the configuration file (else only flags and variables
    /// were wrong: a usage error).
    public var involvesFile: Bool { problems.contains { $0.origin.isFile } }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice = slice.dropFirst() }
        while slice.last?.isWhitespace == true { slice = slice.dropLast() }
        return String(slice)
    }
}
