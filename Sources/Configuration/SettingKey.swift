/// A setting that a command-line flag, an `IPVS_PUSH_*` environment variable and the
/// configuration file can all give; the flag wins over the variable, the variable over
/// the file, the file over the built-in default.
///
/// The raw value is the flag's long name. The variable's name is derived from it
/// (`--shutdown-grace` → `IPVS_PUSH_SHUTDOWN_GRACE`, `--web.config.file` →
/// `IPVS_PUSH_WEB_CONFIG_FILE`); a repeatable flag's variable holds a comma-separated
/// list. `filePath` is where the setting lives in the file.
public enum SettingKey: String, CaseIterable, Sendable {
    case interval
    case shutdownGrace = "shutdown-grace"
    case externalLabel = "external-label"
    case logLevel = "log-level"
    case logFormat = "log-format"
    case queueDirectory = "queue-dir"
    case queueMaxBytes = "queue-max-bytes"

    case namespacePath = "namespace-path"
    case namespaceGlob = "namespace-glob"
    case hostNamespace = "host-namespace"
    case destinations
    case rates
    case compat
    case textfileDirectory = "textfile-directory"
    case nameLabel = "name-label"
    case connectionStates = "connection-states"
    case dockerHost = "docker-host"
    case namesFile = "names-file"

    case pushgateway
    case job
    case instance
    case groupingLabel = "grouping-label"
    case method
    case compression
    case deleteOnExit = "delete-on-exit"
    case timeout
    case header
    case basicAuthUser = "basic-auth-user"
    case basicAuthPasswordFile = "basic-auth-password-file"
    case bearerTokenFile = "bearer-token-file"
    case tlsCAFile = "tls-ca-file"
    case tlsCertFile = "tls-cert-file"
    case tlsKeyFile = "tls-key-file"
    case tlsInsecureSkipVerify = "tls-insecure-skip-verify"
    case proxyURL = "proxy-url"

    case remoteWrite = "remote-write"
    case tenant
    case protocolVersion = "protocol"
    case maxSamplesPerSend = "max-samples-per-send"

    case listenAddress = "listen-address"
    case telemetryPath = "telemetry-path"
    case webConfigFile = "web.config.file"

    /// How the setting's values are written.
    public enum Shape: Sendable {
        /// One value.
        case single
        /// `true` or `false` (a flag and its `--no-` form).
        case bool
        /// Any number of values (a repeatable flag; a list in the file).
        case list
        /// `NAME=VALUE` pairs (a repeatable flag; a mapping in the file).
        case pairs
    }

    public var shape: Shape {
        switch self {
        case .hostNamespace, .destinations, .rates, .nameLabel, .connectionStates, .deleteOnExit,
            .tlsInsecureSkipVerify:
            .bool
        case .namespacePath, .namespaceGlob, .remoteWrite: .list
        case .externalLabel, .groupingLabel, .header: .pairs
        default: .single
        }
    }

    /// `--interval`.
    public var flag: String { "--\(rawValue)" }

    /// `IPVS_PUSH_INTERVAL`.
    public var environmentVariable: String {
        "IPVS_PUSH_" + String(rawValue.uppercased().map { $0 == "-" || $0 == "." ? "_" : $0 })
    }

    /// Where the file keeps it (nil: flag and environment only, such as the options of
    /// `--remote-write` URLs, which the file sets per `remote_write` entry).
    public var filePath: [String]? {
        switch self {
        case .interval: ["global", "interval"]
        case .shutdownGrace: ["global", "shutdown_grace"]
        case .externalLabel: ["global", "external_labels"]
        case .logLevel: ["global", "log_level"]
        case .logFormat: ["global", "log_format"]
        case .queueDirectory: ["global", "queue_directory"]
        case .queueMaxBytes: ["global", "queue_max_bytes"]
        case .namespacePath: ["collection", "namespace_paths"]
        case .namespaceGlob: ["collection", "namespace_globs"]
        case .hostNamespace: ["collection", "host_namespace"]
        case .destinations: ["collection", "destinations"]
        case .rates: ["collection", "rates"]
        case .compat: ["collection", "compat"]
        case .textfileDirectory: ["collection", "textfile_directory"]
        case .nameLabel: ["collection", "name_label"]
        case .connectionStates: ["collection", "connection_states"]
        case .dockerHost: ["names", "docker_host"]
        case .namesFile: ["names", "file"]
        case .pushgateway: ["pushgateway", "url"]
        case .job: ["pushgateway", "job"]
        case .instance: ["pushgateway", "instance"]
        case .groupingLabel: ["pushgateway", "grouping_labels"]
        case .method: ["pushgateway", "method"]
        case .compression: ["pushgateway", "compression"]
        case .deleteOnExit: ["pushgateway", "delete_on_exit"]
        case .timeout: ["pushgateway", "timeout"]
        case .header: ["pushgateway", "headers"]
        case .basicAuthUser: ["pushgateway", "basic_auth", "username"]
        case .basicAuthPasswordFile: ["pushgateway", "basic_auth", "password_file"]
        case .bearerTokenFile: ["pushgateway", "authorization", "credentials_file"]
        case .tlsCAFile: ["pushgateway", "tls_config", "ca_file"]
        case .tlsCertFile: ["pushgateway", "tls_config", "cert_file"]
        case .tlsKeyFile: ["pushgateway", "tls_config", "key_file"]
        case .tlsInsecureSkipVerify: ["pushgateway", "tls_config", "insecure_skip_verify"]
        case .proxyURL: ["pushgateway", "proxy_url"]
        case .remoteWrite: ["remote_write"]
        case .tenant, .protocolVersion, .maxSamplesPerSend: nil
        case .listenAddress: ["serve", "listen_address"]
        case .telemetryPath: ["serve", "telemetry_path"]
        case .webConfigFile: ["serve", "web_config_file"]
        }
    }

    /// Whether the value names a file, which the configuration file gives relative to
    /// its own directory (as Prometheus does).
    public var isPath: Bool {
        switch self {
        case .queueDirectory, .textfileDirectory, .namesFile, .basicAuthPasswordFile, .bearerTokenFile, .tlsCAFile,
            .tlsCertFile,
            .tlsKeyFile, .webConfigFile:
            true
        default: false
        }
    }
}
