import PullServer

/// Reads `tls_server_config` of a web configuration file into ``TLSServerSettings``,
/// recording every problem at its place in the file.
enum WebConfigTLSSection {
    static let keys = [
        "cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type", "client_ca_file",
        "client_allowed_sans", "min_version", "max_version", "cipher_suites", "prefer_server_cipher_suites",
        "curve_preferences",
    ]

    /// The settings, nil when TLS is off (the section is absent or empty) or when a problem
    /// was recorded. `directory` is where relative file paths start.
    static func read(_ value: YAMLValue, directory: String, checkingFiles: Bool) -> TLSServerSettings? {
        guard let section = value.mapping(known: keys) else { return nil }
        guard keys.contains(where: section.has) else { return nil }
        let problemsBefore = value.reader.problems.count
        section.atMostOne(of: ["cert", "cert_file"])
        section.atMostOne(of: ["key", "key_file"])
        section.atMostOne(of: ["client_ca", "client_ca_file"])

        let certificate = pem(section, inline: "cert", file: "cert_file", directory: directory)
        let privateKey = pem(section, inline: "key", file: "key_file", directory: directory)
        let clientCA = pem(section, inline: "client_ca", file: "client_ca_file", directory: directory)
        if !section.has("cert") && !section.has("cert_file") {
            value.problem("tls_server_config needs cert_file (or cert): the server certificate to present")
        }
        if !section.has("key") && !section.has("key_file") {
            value.problem("tls_server_config needs key_file (or key): the private key of the server certificate")
        }

        var policy = ClientCertificatePolicy.noClientCert
        if let field = section["client_auth_type"], let name = field.string() {
            if let known = ClientCertificatePolicy(exporterToolkitName: name) {
                policy = known
            } else {
                let names = ClientCertificatePolicy.allCases.map(\.rawValue).joined(separator: ", ")
                field.problem("tls_server_config.client_auth_type: \"\(name)\" is not one of \(names)")
            }
        }
        let allowedSANs = section["client_allowed_sans"]?.stringList() ?? []
        let minimum = version(section, "min_version") ?? .tls12
        let maximum = version(section, "max_version") ?? .tls13
        let suites = names(section, "cipher_suites", TLSCipherSuite.supported.map(\.name)) {
            TLSCipherSuite(name: $0)
        }
        let curves = names(section, "curve_preferences", TLSCurve.allCases.map(\.rawValue)) { TLSCurve(rawValue: $0) }
        // Go has ignored it since 1.18; BoringSSL follows the client's order, which is
        // what `false` asks for. Either way it is read so that a typed value is checked.
        _ = section["prefer_server_cipher_suites"]?.bool()

        guard let certificate = certificate ?? nil, let privateKey = privateKey ?? nil, let clientCA,
            value.reader.problems.count == problemsBefore
        else { return nil }
        let settings = TLSServerSettings(
            certificate: certificate, privateKey: privateKey, clientCertificatePolicy: policy, clientCA: clientCA,
            clientAllowedSANs: allowedSANs, minimumVersion: minimum, maximumVersion: maximum, cipherSuites: suites,
            curvePreferences: curves)
        for problem in settings.problems {
            let field = problemKeys(problem).lazy.compactMap { section[$0] }.first ?? value
            field.problem(
                "tls_server_config.\(problemKeys(problem).first { section.has($0) } ?? problem.key): \(problem)")
        }
        guard settings.problems.isEmpty else { return nil }
        if checkingFiles { checkMaterial(settings, section: section, value: value) }
        return settings
    }

    /// The PEM source given by the inline key or the file key: `.some(nil)` when neither is
    /// set, nil when the one set is not usable.
    private static func pem(_ section: YAMLMapping, inline: String, file: String, directory: String) -> PEMSource?? {
        if let field = section[file] {
            guard let path = field.nonEmptyString() else { return nil }
            return .some(.file(resolve(path, in: directory)))
        }
        if let field = section[inline] {
            guard let text = field.nonEmptyString() else { return nil }
            return .some(.inline(text))
        }
        return .some(nil)
    }

    /// `path` relative to `directory` unless it is absolute, as exporter-toolkit resolves
    /// the files of its web configuration: relative to the configuration file's directory.
    static func resolve(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty || directory == "." { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    private static func version(_ section: YAMLMapping, _ key: String) -> TLSProtocolVersion? {
        guard let field = section[key], let name = field.string() else { return nil }
        guard let version = TLSProtocolVersion(rawValue: name) else {
            let names = TLSProtocolVersion.allCases.map(\.rawValue).joined(separator: ", ")
            field.problem("tls_server_config.\(key): \"\(name)\" is not one of \(names)")
            return nil
        }
        return version
    }

    private static func names<T>(
        _ section: YAMLMapping, _ key: String, _ known: [String], _ make: (String) -> T?
    ) -> [T] {
        guard let items = section[key]?.list() else { return [] }
        return items.compactMap { item in
            guard let name = item.string() else { return nil }
            guard let value = make(name) else {
                item.problem("\(item.path): unknown name \"\(name)\" (known: \(known.joined(separator: ", ")))")
                return nil
            }
            return value
        }
    }

    /// The keys a settings problem concerns, the one to report at first.
    private static func problemKeys(_ problem: TLSSettingsProblem) -> [String] {
        switch problem {
        case .clientCAWithoutClientAuthentication: ["client_ca_file", "client_ca"]
        case .clientAuthenticationWithoutClientCA: ["client_auth_type"]
        case .allowedSANsWithoutRequiredCertificate: ["client_allowed_sans"]
        case .versionsReversed: ["min_version", "max_version"]
        case .onlyTLS13CipherSuites: ["cipher_suites"]
        }
    }

    /// Loads the certificate, key and CA as the server will, recording a failure at the key
    /// that names the material.
    private static func checkMaterial(_ settings: TLSServerSettings, section: YAMLMapping, value: YAMLValue) {
        do {
            try settings.checkMaterial()
        } catch {
            switch error {
            case .invalidTLSMaterial(let key, let source, let reason):
                (section[key] ?? value).problem("tls_server_config.\(key) \(source): \(reason)")
            default:
                value.problem("\(error)")
            }
        }
    }
}
