import PullServer

/// exporter-toolkit's web configuration file (`--web.config.file`), the one file format
/// Prometheus exporters share for TLS, basic authentication, response headers and rate
/// limiting, read strictly into ``WebSecurity``:
///
/// - unknown keys are errors (with the nearest known key suggested), as are values of the
///   wrong type, unknown names (`client_auth_type`, `min_version`, cipher suites, curves),
///   malformed bcrypt hashes and headers exporter-toolkit does not allow;
/// - relative `cert_file`, `key_file` and `client_ca_file` paths are relative to the
///   directory of the web configuration file, as in exporter-toolkit;
/// - every problem is reported, each as `FILE:LINE:COLUMN: message`;
/// - the certificate, key and client CA are loaded as the server will load them, so that
///   a missing or mismatched file is reported here with its key's position.
///
/// `http_server_config.http2` is accepted and has no effect: the server speaks HTTP/1.1,
/// which HTTP/2 clients fall back to. `prefer_server_cipher_suites` likewise (see
/// ``TLSServerSettings``).
public enum WebConfigFile {
    static let keys = ["tls_server_config", "http_server_config", "basic_auth_users", "rate_limit"]

    /// Reads the web configuration file at `path`.
    ///
    /// - Parameter checkingFiles: whether to load the certificate, key and client CA too
    ///   (the server loads them again when it starts and whenever they change).
    /// - Throws: ``ConfigFileError`` with every problem found.
    public static func load(path: String, checkingFiles: Bool = true) throws(ConfigFileError) -> WebSecurity {
        let (reader, root) = YAMLReader.load(path: path)
        let security = root.flatMap { read($0, directory: directory(of: path), checkingFiles: checkingFiles) }
        return try reader.finish(security)
    }

    /// Reads web configuration text; `file` names it in problems and `directory` is where
    /// relative paths start.
    public static func parse(
        _ text: String, file: String, directory: String, checkingFiles: Bool = true
    ) throws(ConfigFileError) -> WebSecurity {
        let reader = YAMLReader(file: file)
        let security = reader.parse(text).flatMap { read($0, directory: directory, checkingFiles: checkingFiles) }
        return try reader.finish(security)
    }

    /// The directory part of `path`: `.` for a bare file name, `/` for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func read(_ root: YAMLValue, directory: String, checkingFiles: Bool) -> WebSecurity? {
        guard let file = root.mapping(known: keys) else { return nil }
        var security = WebSecurity()
        if let section = file["tls_server_config"] {
            security.tls = WebConfigTLSSection.read(section, directory: directory, checkingFiles: checkingFiles)
        }
        if let section = file["http_server_config"] {
            security.responseHeaders = readHTTPServerConfig(section)
        }
        if let section = file["basic_auth_users"] {
            security.basicAuthUsers = readUsers(section)
        }
        if let section = file["rate_limit"] {
            security.rateLimit = readRateLimit(section)
        }
        return root.reader.hasProblems ? nil : security
    }

    private static func readHTTPServerConfig(_ value: YAMLValue) -> [String: String] {
        guard let section = value.mapping(known: ["http2", "headers"]) else { return [:] }
        _ = section["http2"]?.bool()
        guard let headersValue = section["headers"],
            let headers = headersValue.mapping(known: WebSecurity.allowedResponseHeaders.keys.sorted())
        else { return [:] }
        var result: [String: String] = [:]
        // An empty value (`X-Frame-Options:`) sets nothing: "unset if blank".
        for entry in headers.entries where headers[entry.key] != nil {
            guard let text = entry.value.string() else { continue }
            if let problem = WebSecurity.responseHeaderProblem(name: entry.key, value: text) {
                entry.value.problem("\(entry.value.path): \(problem)")
            } else {
                result[entry.key] = text
            }
        }
        return result
    }

    private static func readUsers(_ value: YAMLValue) -> [String: BcryptHash] {
        guard case .mapping(let mapping) = value.node else {
            value.problem("basic_auth_users must be a mapping of user names to bcrypt hashes, not \(describe(value))")
            return [:]
        }
        var users: [String: BcryptHash] = [:]
        for (keyNode, valueNode) in mapping {
            let key = YAMLValue(node: keyNode, path: "basic_auth_users", reader: value.reader)
            guard case .scalar(let user) = keyNode else {
                key.problem("basic_auth_users: a user name must be text")
                continue
            }
            let hashValue = YAMLValue(node: valueNode, path: "basic_auth_users.\(user.string)", reader: value.reader)
            guard case .scalar(let hashText) = valueNode, valueNode.tagName != .null else {
                hashValue.problem(
                    "basic_auth_users.\(user.string) needs the bcrypt hash of the user's password "
                        + "(make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')")
                continue
            }
            do {
                users[user.string] = try BcryptHash(hashText.string)
            } catch {
                hashValue.problem("basic_auth_users.\(user.string): \(error)")
            }
        }
        return users
    }

    private static func readRateLimit(_ value: YAMLValue) -> RequestRateLimit? {
        guard let section = value.mapping(known: ["interval", "burst"]) else { return nil }
        var interval: Duration?
        if let field = section["interval"], let text = field.string() {
            if let parsed = WebConfigGoDuration.parse(text), parsed >= .zero {
                interval = parsed
            } else {
                field.problem(
                    "rate_limit.interval: \"\(text)\" is not a duration: write a number with a unit "
                        + "(ns, us, ms, s, m, h), e.g. 1s or 1m30s; 0 turns the limit off")
            }
        }
        let burst = section["burst"]?.int(in: 0...Int(Int32.max))
        guard let interval, interval > .zero else { return nil }
        guard section.has("burst") else {
            value.problem(
                "rate_limit needs burst: how many requests may come at once (0 would refuse every request)")
            return nil
        }
        guard let burst else { return nil }
        return RequestRateLimit(interval: interval, burst: burst)
    }

    private static func describe(_ value: YAMLValue) -> String {
        switch value.node {
        case .sequence: "a list"
        case .scalar(let scalar): value.node.tagName == .null ? "empty" : "\"\(scalar.string)\""
        default: "this"
        }
    }
}
