import Exposition
import Foundation
import HTTPTransport
import IPVSMetricSet
import Logging
import PushGateway
import RemoteWrite

/// The agent's configuration file, read strictly: every key is known, every value has
/// the type its key needs, and every problem is reported with its line and column.
///
/// ```yaml
/// global:       # interval, shutdown_grace, external_labels, log_level, log_format,
///               # queue_directory, queue_max_bytes
/// collection:   # namespace_paths, namespace_globs, host_namespace, destinations, rates, compat,
///               # textfile_directory, name_label, connection_states
/// names:        # docker_host, file
/// pushgateway:  # url, job, instance, grouping_labels, method, compression,
///               # delete_on_exit, timeout + Prometheus http_config keys
/// remote_write: # a list of Prometheus remote_write blocks
/// serve:        # listen_address, telemetry_path, web_config_file
/// ```
///
/// The settings a flag can also give are kept as text by ``SettingKey`` (so that the
/// flag, the environment and the file go through one parser); the structured parts
/// (`remote_write`, the Pushgateway's HTTP client) are read into their types here.
public struct AgentConfigFile: Sendable {
    public let path: String
    /// The flag-equivalent settings the file gives.
    public var settings: [SettingKey: SettingLayers.FileSetting] = [:]
    /// The Pushgateway section's authentication, TLS, proxy and headers.
    public var pushgatewayHTTP = HTTPClientSettings()
    /// The `remote_write` entries; nil when the file has no `remote_write` key.
    public var remoteWrite: [RemoteWriteConfiguration]?
    /// Whether the file has a `serve` section (even an empty one): `run` then serves
    /// `/metrics` from each collection.
    public var hasServeSection = false

    static let sections = ["global", "collection", "names", "pushgateway", "remote_write", "serve"]
    static let logLevels = Logger.Level.allCases.map(\.rawValue)

    init(path: String) {
        self.path = path
    }

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(ConfigFileError) -> AgentConfigFile {
        let (reader, root) = YAMLReader.load(path: path)
        var file = AgentConfigFile(path: path)
        if let root { file.read(root) }
        return try reader.finish(file)
    }

    private mutating func read(_ root: YAMLValue) {
        let directory = (path as NSString).deletingLastPathComponent
        guard let sections = root.mapping(known: Self.sections) else { return }
        let sectionKeys: [String: [String]] = [
            "global": [
                "interval", "shutdown_grace", "external_labels", "log_level", "log_format", "queue_directory",
                "queue_max_bytes",
            ],
            "collection": [
                "namespace_paths", "namespace_globs", "host_namespace", "destinations", "rates", "compat",
                "textfile_directory", "name_label", "connection_states",
            ],
            "names": ["docker_host", "file"],
            "pushgateway": [
                "url", "job", "instance", "grouping_labels", "method", "compression", "delete_on_exit", "timeout",
            ] + HTTPClientSettings.keys,
            "serve": ["listen_address", "telemetry_path", "web_config_file"],
        ]
        for (section, keys) in sectionKeys {
            guard let value = sections[section], let fields = value.mapping(known: keys) else { continue }
            for key in SettingKey.allCases {
                guard let path = key.filePath, path.count == 2, path[0] == section, key != .header,
                    let entry = fields[path[1]]
                else { continue }
                if let values = Self.text(of: entry, for: key, directory: directory), let mark = entry.mark {
                    settings[key] = .init(
                        values: values,
                        origin: .file(file: self.path, line: mark.line, column: mark.column, path: entry.path))
                }
            }
            if section == "pushgateway" { pushgatewayHTTP = HTTPClientSettings.read(fields, directory: directory) }
        }
        hasServeSection = sections.contains("serve")
        if sections.contains("remote_write") {
            var configurations: [RemoteWriteConfiguration] = []
            // Where each name and URL was first given: names must differ as in Prometheus, and URLs
            // too, because the queue directory and the self-metrics are kept per URL.
            var names: [String: String] = [:]
            var urls: [String: String] = [:]
            for entry in sections["remote_write"]?.list() ?? [] {
                guard let configuration = RemoteWriteBlock.read(entry, directory: directory) else { continue }
                if let name = configuration.name {
                    if let first = names[name] {
                        (entry.child("name") ?? entry).problem(
                            "\(entry.path).name: \(first) already has the name \"\(name)\": give each entry its "
                                + "own name")
                    } else {
                        names[name] = entry.path
                    }
                }
                if let first = urls[configuration.redactedURL] {
                    (entry.child("url") ?? entry).problem(
                        "\(entry.path).url: \(first) already sends to this URL; ipvs-push keeps one queue per URL, so "
                            + "give each URL only once")
                } else {
                    urls[configuration.redactedURL] = entry.path
                }
                configurations.append(configuration)
            }
            remoteWrite = configurations
        }
    }

    /// The value as the text a flag would give, after checking its type.
    private static func text(of value: YAMLValue, for key: SettingKey, directory: String) -> [String]? {
        switch key {
        case .interval:
            return value.duration(minimum: .milliseconds(100)).map { [$0.description] }
        case .shutdownGrace, .timeout:
            return value.duration().map { [$0.description] }
        case .queueMaxBytes:
            return value.byteCount(minimum: 4096).map { [$0.description] }
        case .logLevel:
            guard let text = value.string() else { return nil }
            guard logLevels.contains(text) else {
                value.problem("\(value.path): \"\(text)\" is not one of \(logLevels.joined(separator: ", "))")
                return nil
            }
            return [text]
        case .logFormat: return value.choice(LogFormat.self).map { [$0.rawValue] }
        case .compat: return value.choice(MetricOptions.Compatibility.self).map { [$0.rawValue] }
        case .method: return value.choice(PushMethod.self).map { [$0.rawValue] }
        case .compression: return value.choice(Compression.self).map { [$0.rawValue] }
        case .namespacePath, .namespaceGlob:
            guard let items = value.list() else { return nil }
            var paths: [String] = []
            for item in items {
                guard let path = item.string() else { return nil }
                if !path.hasPrefix("/") {
                    item.problem(
                        "\(item.path): \"\(path)\" must be an absolute path "
                            + (key == .namespaceGlob
                                ? "pattern, such as /var/run/docker/netns/*" : "to a network namespace file"))
                }
                paths.append(path)
            }
            return paths
        case .externalLabel, .groupingLabel:
            guard let entries = value.stringEntries() else { return nil }
            for entry in entries where !isLabelName(entry.key) {
                entry.keyValue.problem(
                    "\(value.path): \"\(entry.key)\" is not a label name: use letters, digits and underscores, "
                        + "not starting with a digit or \"__\"")
            }
            return entries.map { "\($0.key)=\($0.value)" }
        case .pushgateway:
            guard let url = value.nonEmptyString() else { return nil }
            let lowered = url.lowercased()
            if !(lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) {
                value.problem("\(value.path) must be an http:// or https:// URL")
            }
            return [url]
        default:
            switch key.shape {
            case .bool: return value.bool().map { [String($0)] }
            case .list: return value.stringList()
            case .pairs: return value.stringMap()?.map { "\($0.key)=\($0.value)" }
            case .single:
                guard let text = value.nonEmptyString() else { return nil }
                return [key.isPath ? HTTPClientSettings.resolve(text, against: directory) : text]
            }
        }
    }

    /// A label name a user may set: the classic syntax, not reserved.
    static func isLabelName(_ name: String) -> Bool {
        Label.isValidName(name) && !Label.isReservedName(name)
    }

    /// The Pushgateway's body compression.
    public enum Compression: String, Sendable, CaseIterable {
        case none, gzip
    }
}
