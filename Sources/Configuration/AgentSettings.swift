import Collector
import Exposition
import Foundation
import HTTPTransport
import Logging
import PushGateway
import RemoteWrite

/// Everything a command runs with, after the layers are resolved: flag over
/// `IPVS_PUSH_*` variable over configuration file over default.
public struct AgentSettings: Sendable {
    public var interval: Duration = .seconds(15)
    public var shutdownGrace: Duration = .seconds(10)
    public var logging = LoggingSettings(level: .info, format: .logfmt)
    public var collection = CollectionSettings()
    public var pushgateway: PushgatewaySettings?
    public var remoteWrite: [RemoteWriteConfiguration] = []
    public var serve: ServeSettings?
    /// The configuration file the settings were read from, if any.
    public var configFile: String?

    /// Where and how to push to a Pushgateway.
    public struct PushgatewaySettings: Sendable {
        public var url: String
        public var job = "ipvs"
        /// nil: the host name.
        public var instance: String?
        public var groupingLabels: [Label] = []
        public var method: PushMethod = .put
        public var gzip = false
        public var deleteOnExit = false
        public var transport = TransportConfiguration()
    }

    /// The `/metrics` endpoint.
    public struct ServeSettings: Sendable {
        public var listenAddress = ":9100"
        public var telemetryPath = "/metrics"
        /// exporter-toolkit's web configuration (TLS, basic auth).
        public var webConfigFile: String?

        public init() {}
    }

    /// What differs between commands.
    public struct Defaults: Sendable {
        public var logLevel: Logger.Level = .info
        /// Serve `/metrics` even when no layer asks for it (`serve`).
        public var alwaysServe = false

        public init(logLevel: Logger.Level = .info, alwaysServe: Bool = false) {
            self.logLevel = logLevel
            self.alwaysServe = alwaysServe
        }
    }

    public init() {}

    /// Resolves every setting from `flags`, `environment` and `file`; throws every
    /// invalid value at once, each naming its origin.
    public static func resolve(
        flags: [SettingKey: [String]], environment: [String: String], file: AgentConfigFile?,
        defaults: Defaults = Defaults()
    ) throws(SettingsError) -> AgentSettings {
        var layers = SettingLayers(flags: flags, environment: environment, file: file?.settings ?? [:])
        var settings = AgentSettings()
        settings.configFile = file?.path
        let prefix = "IPVS_PUSH_"
        let known = SettingKey.allCases.map { String($0.environmentVariable.dropFirst(prefix.count)) }
        for name in environment.keys.sorted() where name.hasPrefix(prefix) && name != "IPVS_PUSH_CONFIG" {
            let suffix = String(name.dropFirst(prefix.count))
            guard !known.contains(suffix) else { continue }
            if let near = YAMLValue.nearest(suffix, in: known) {
                layers.problem(.environment(name), "no setting has this name: did you mean \(prefix)\(near)?")
            } else {
                layers.problem(.environment(name), "no setting has this name (see ipvs-push --help for the flags)")
            }
        }
        settings.interval = layers.duration(.interval, default: .seconds(15), minimum: .milliseconds(100))
        settings.shutdownGrace = layers.duration(.shutdownGrace, default: .seconds(10))
        settings.logging = LoggingSettings.resolve(&layers, defaultLevel: defaults.logLevel)
        settings.collection = CollectionSettings.resolve(&layers)
        let transport = resolveTransport(&layers, file: file?.pushgatewayHTTP ?? HTTPClientSettings())
        settings.pushgateway = resolvePushgateway(&layers, transport: transport)
        // --remote-write URLs given as flags get the HTTP flags only, never the file's
        // Pushgateway credentials (which belong to another host). The problems of the
        // flags were recorded once above, so this pass works on a copy.
        var flagLayers = layers
        let flagTransport = resolveTransport(&flagLayers, file: HTTPClientSettings())
        settings.remoteWrite = resolveRemoteWrite(&layers, file: file, transport: flagTransport)
        if defaults.alwaysServe || file?.hasServeSection == true || layers.isSet(.listenAddress)
            || layers.isSet(.webConfigFile)
        {
            var serve = ServeSettings()
            serve.listenAddress = layers.string(.listenAddress) ?? serve.listenAddress
            serve.telemetryPath = layers.value(.telemetryPath, default: "/metrics", expected: "a path starting with /")
            {
                $0.hasPrefix("/") ? $0 : nil
            }
            serve.webConfigFile = layers.string(.webConfigFile)
            settings.serve = serve
        }
        try layers.finish()
        return settings
    }

    private static func resolvePushgateway(
        _ layers: inout SettingLayers, transport: TransportConfiguration
    ) -> PushgatewaySettings? {
        guard let url = layers.string(.pushgateway) else { return nil }
        let lowered = url.lowercased()
        if !(lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) {
            layers.problem(layers.origin(of: .pushgateway), "\"\(url)\" must be an http:// or https:// URL")
        }
        var settings = PushgatewaySettings(url: url)
        settings.job = layers.value(.job, default: "ipvs", expected: "a job name") { $0.isEmpty ? nil : $0 }
        settings.instance = layers.string(.instance)
        settings.groupingLabels = layers.pairs(.groupingLabel).map { Label($0.name, $0.value) }
        for label in settings.groupingLabels where ["job", "instance", "namespace"].contains(label.name) {
            layers.problem(
                layers.origin(of: .groupingLabel),
                "grouping label \"\(label.name)\" is set by ipvs-push itself"
                    + (label.name == "namespace"
                        ? " (one group per namespace: see --namespace-path)"
                        : "; use --\(label.name) (pushgateway.\(label.name))"))
        }
        settings.method = layers.value(.method, default: .put, expected: "put or post") {
            PushMethod(rawValue: $0)
        }
        settings.gzip =
            layers.value(.compression, default: .none, expected: "none or gzip") {
                AgentConfigFile.Compression(rawValue: $0)
            } == .gzip
        settings.deleteOnExit = layers.bool(.deleteOnExit, default: false)
        settings.transport = transport
        return settings
    }

    /// The HTTP client of the Pushgateway and of `--remote-write` URLs: the file's
    /// Pushgateway section, each part replaced by a flag or variable that gives it.
    private static func resolveTransport(_ layers: inout SettingLayers, file: HTTPClientSettings)
        -> TransportConfiguration
    {
        var transport = TransportConfiguration(
            timeout: layers.duration(.timeout, default: .seconds(30), minimum: .milliseconds(1)),
            tls: file.tls, proxyURL: file.proxyURL, noProxy: file.noProxy, authentication: file.authentication,
            headers: HTTPHeaders(file.headers))
        if let origin = layers.raw(.header)?.origin, !origin.isFile {
            let pairs = layers.pairs(.header)
            for (name, _) in pairs where HTTPClientSettings.reservedHeaders.contains(name.lowercased()) {
                layers.problem(layers.origin(of: .header), "header \"\(name)\" is set by ipvs-push itself")
            }
            transport.headers = HTTPHeaders(pairs.map { ($0.name, $0.value) })
        }
        let user = layers.string(.basicAuthUser)
        let passwordFile = layers.string(.basicAuthPasswordFile)
        let tokenFile = layers.string(.bearerTokenFile)
        if user != nil || passwordFile != nil || tokenFile != nil {
            switch (user, passwordFile, tokenFile) {
            case (let user?, let file?, nil): transport.authentication = .basic(username: user, passwordFile: file)
            case (nil, nil, let file?): transport.authentication = .bearer(tokenFile: file)
            case (_, _, _?):
                layers.problem(
                    layers.origin(of: .bearerTokenFile),
                    "--basic-auth-user and --bearer-token-file cannot be used together")
            case (nil, _?, nil):
                layers.problem(layers.origin(of: .basicAuthPasswordFile), "needs --basic-auth-user as well")
            case (_?, nil, nil):
                layers.problem(layers.origin(of: .basicAuthUser), "needs --basic-auth-password-file as well")
            case (nil, nil, nil): break
            }
        }
        for key in [SettingKey.basicAuthPasswordFile, .bearerTokenFile, .tlsCAFile, .tlsCertFile, .tlsKeyFile] {
            if let (values, origin) = layers.raw(key), !origin.isFile, let path = values.first, access(path, R_OK) != 0
            {
                layers.problem(
                    origin, "cannot read \(path): \(String(cString: strerror(errno))); fix the path or its permissions")
            }
        }
        if let file = layers.string(.tlsCAFile) { transport.tls.caFile = file }
        if let file = layers.string(.tlsCertFile) { transport.tls.certificateFile = file }
        if let file = layers.string(.tlsKeyFile) { transport.tls.keyFile = file }
        if layers.isSet(.tlsInsecureSkipVerify) {
            transport.tls.insecureSkipVerify = layers.bool(.tlsInsecureSkipVerify, default: false)
        }
        if (transport.tls.certificateFile == nil) != (transport.tls.keyFile == nil) {
            layers.problem(
                layers.origin(of: transport.tls.keyFile == nil ? .tlsCertFile : .tlsKeyFile),
                "--tls-cert-file and --tls-key-file go together (a client certificate needs its key)")
        }
        if let proxy = layers.string(.proxyURL) { transport.proxyURL = proxy }
        return transport
    }

    /// The remote-write destinations: the URLs given as flags or variable (with the
    /// HTTP client flags), or else the file's `remote_write` entries; then the global
    /// external labels and queue settings for each.
    private static func resolveRemoteWrite(
        _ layers: inout SettingLayers, file: AgentConfigFile?, transport: TransportConfiguration
    ) -> [RemoteWriteConfiguration] {
        var configurations: [RemoteWriteConfiguration]
        // Whether the values checked here, with their own origins, are valid: only then are
        // the configurations validated, so that a problem is not reported once per URL.
        var valid = true
        // The file's remote_write list is not a SettingKey value: it is structured.
        let urlsOrigin = layers.raw(.remoteWrite)?.origin
        if urlsOrigin != nil {
            let version = layers.value(.protocolVersion, default: RemoteWriteProtocol.v1, expected: "v1 or v2") {
                switch $0 {
                case "v1": .v1
                case "v2": .v2
                default: nil
                }
            }
            let tenant = layers.string(.tenant)
            if let tenant, tenant.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                layers.problem(layers.origin(of: .tenant), "the tenant must not contain control characters")
                valid = false
            }
            let maxSamples = layers.value(
                .maxSamplesPerSend, default: RemoteWriteConfiguration.defaultMaxSamplesPerSend,
                expected: "a number from 1 to 1000000"
            ) {
                Int($0).flatMap { (1...1_000_000).contains($0) ? $0 : nil }
            }
            configurations = layers.list(.remoteWrite).map { url in
                RemoteWriteConfiguration(
                    url: url, protocolVersion: version, tenant: tenant, maxSamplesPerSend: maxSamples,
                    transport: transport)
            }
        } else {
            configurations = file?.remoteWrite ?? []
        }
        let externalLabels = layers.pairs(.externalLabel)
        for (name, _) in externalLabels where !AgentConfigFile.isLabelName(name) {
            layers.problem(
                layers.origin(of: .externalLabel),
                "\"\(name)\" is not a label name: use letters, digits and underscores, not starting with a digit "
                    + "or \"__\"")
            valid = false
        }
        let queueDirectory = layers.string(.queueDirectory)
        let queueMaxBytes = layers.value(.queueMaxBytes, default: 256 << 20, expected: "a size such as 256MiB") {
            ByteCount($0).flatMap { $0.bytes >= 4096 ? $0.bytes : nil }
        }
        for index in configurations.indices {
            configurations[index].externalLabels = Labels(externalLabels.map { Label($0.name, $0.value) })
            configurations[index].queueDirectory = queueDirectory
            configurations[index].queueMaxBytes = queueMaxBytes
            guard valid else { continue }
            do {
                try configurations[index].validate()
            } catch {
                // What is left to fail is the URL of a flag or variable (the file's entries are checked when read).
                layers.problem(urlsOrigin ?? .defaultValue, "\(error)")
            }
        }
        return configurations
    }
}
