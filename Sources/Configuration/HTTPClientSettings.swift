import Foundation
import HTTPTransport

/// The HTTP client part of a Pushgateway or `remote_write` block, in Prometheus'
/// `http_config` terms: authentication, TLS, proxy and extra headers.
public struct HTTPClientSettings: Sendable {
    public var headers: [(name: String, value: String)] = []
    public var authentication: HTTPAuthentication = .none
    public var tls = TLSConfiguration()
    public var proxyURL: String?
    public var noProxy: String?
    /// Prometheus' `proxy_from_environment`: whether `http_proxy` and friends apply.
    public var proxyFromEnvironment = false

    public init() {}

    /// The keys this block adds to the mapping it is part of.
    static let keys = [
        "headers", "basic_auth", "authorization", "tls_config", "proxy_url", "no_proxy", "proxy_from_environment",
        "proxy_connect_header", "follow_redirects", "enable_http2", "oauth2", "sigv4", "azuread", "google_iam",
        "bearer_token", "bearer_token_file",
    ]

    /// Headers Prometheus refuses in `headers` because the client sets them itself.
    static let reservedHeaders: Set<String> = [
        "authorization", "host", "content-encoding", "content-length", "content-type", "user-agent", "connection",
        "keep-alive", "proxy-authenticate", "proxy-authorization", "www-authenticate", "accept-encoding",
        "x-prometheus-remote-write-version", "x-prometheus-remote-read-version", "x-prometheus-scrape-timeout-seconds",
    ]

    /// Reads the block's keys from `mapping`; paths of files are resolved against `directory`.
    static func read(_ mapping: YAMLMapping, directory: String) -> HTTPClientSettings {
        var settings = HTTPClientSettings()
        for key in ["oauth2", "sigv4", "azuread", "google_iam"] {
            if let value = mapping[key] {
                value.problem(
                    "\(value.path) is not supported by ipvs-push: use basic_auth, authorization or tls_config client "
                        + "certificates")
            }
        }
        for key in ["bearer_token", "bearer_token_file"] {
            if let value = mapping[key] {
                value.problem(
                    "\(value.path) was removed from Prometheus' configuration: use authorization.credentials"
                        + (key == "bearer_token" ? "" : "_file"))
            }
        }
        if let value = mapping["proxy_connect_header"] {
            value.problem("\(value.path) is not supported by ipvs-push: put the credentials into proxy_url")
        }
        _ = mapping["follow_redirects"]?.bool()
        _ = mapping["enable_http2"]?.bool()
        mapping.atMostOne(of: ["basic_auth", "authorization"])

        if let headers = mapping["headers"], let entries = headers.stringEntries() {
            for entry in entries where reservedHeaders.contains(entry.key.lowercased()) {
                let instead =
                    entry.key.lowercased() == "authorization"
                    ? "use the authorization or basic_auth block" : "remove it"
                entry.keyValue.problem("\(headers.path): \"\(entry.key)\" is set by ipvs-push itself: \(instead)")
            }
            settings.headers = entries.map { ($0.key, $0.value) }
        }
        if let block = mapping["basic_auth"],
            let fields = block.mapping(known: ["username", "username_file", "password", "password_file"])
        {
            fields.atMostOne(of: ["username", "username_file"])
            fields.atMostOne(of: ["password", "password_file"])
            var username = fields["username"]?.string()
            if let file = fields["username_file"]?.nonEmptyString() {
                username = readUsername(resolve(file, against: directory), at: fields["username_file"]!)
            }
            if username == nil && !fields.has("username_file") { block.problem("\(block.path) needs \"username\"") }
            let password: HTTPSecret? =
                if let file = fields["password_file"]?.nonEmptyString() {
                    .file(resolve(file, against: directory))
                } else if let inline = fields["password"]?.string() { .inline(inline) } else { nil }
            if let username {
                settings.authentication = .basic(username: username, password: password ?? .inline(""))
            }
        }
        if let block = mapping["authorization"],
            let fields = block.mapping(known: ["type", "credentials", "credentials_file"])
        {
            fields.atMostOne(of: ["credentials", "credentials_file"])
            let type = fields["type"]?.nonEmptyString() ?? "Bearer"
            if type.lowercased() == "basic", let value = fields["type"] {
                value.problem("\(value.path): \(type) is not allowed: use basic_auth")
            }
            if let file = fields["credentials_file"]?.nonEmptyString() {
                settings.authentication = .authorization(
                    type: type, credentials: .file(resolve(file, against: directory)))
            } else if let inline = fields["credentials"]?.string() {
                settings.authentication = .authorization(type: type, credentials: .inline(inline))
            } else {
                block.problem("\(block.path) needs \"credentials\" or \"credentials_file\"")
            }
        }
        if let block = mapping["tls_config"] {
            settings.tls = readTLS(block, directory: directory)
        }
        if let value = mapping["proxy_url"], let url = value.nonEmptyString() {
            if !["http://", "https://", "socks5://"].contains(where: { url.lowercased().hasPrefix($0) }) {
                value.problem("\(value.path) must start with http://, https:// or socks5://")
            }
            settings.proxyURL = url
        }
        settings.noProxy = mapping["no_proxy"]?.string()
        settings.proxyFromEnvironment = mapping["proxy_from_environment"]?.bool() ?? false
        if settings.proxyFromEnvironment && settings.proxyURL != nil {
            mapping["proxy_from_environment"]?.problem(
                "\(mapping.owner.path): set only one of proxy_url and proxy_from_environment")
        }
        return settings
    }

    private static func readTLS(_ block: YAMLValue, directory: String) -> TLSConfiguration {
        var tls = TLSConfiguration()
        let known = [
            "ca_file", "cert_file", "key_file", "ca", "cert", "key", "server_name", "insecure_skip_verify",
            "min_version", "max_version",
        ]
        guard let fields = block.mapping(known: known) else { return tls }
        tls.caFile = fields["ca_file"]?.nonEmptyString().map { resolve($0, against: directory) }
        tls.certificateFile = fields["cert_file"]?.nonEmptyString().map { resolve($0, against: directory) }
        tls.keyFile = fields["key_file"]?.nonEmptyString().map { resolve($0, against: directory) }
        for key in ["ca", "cert", "key"] {
            if let value = fields[key] {
                value.problem(
                    "\(value.path): inline PEM is not supported by ipvs-push: write it to a file and use \(key)_file")
            }
        }
        if tls.certificateFile != nil && tls.keyFile == nil {
            block.problem("\(block.path): cert_file needs key_file as well")
        } else if tls.keyFile != nil && tls.certificateFile == nil {
            block.problem("\(block.path): key_file needs cert_file as well")
        }
        if let value = fields["server_name"] {
            value.problem(
                "\(value.path) is not supported by ipvs-push: use the certificate's name in the URL "
                    + "(and map it to the address in /etc/hosts)")
        }
        tls.insecureSkipVerify = fields["insecure_skip_verify"]?.bool() ?? false
        if let value = fields["min_version"] { tls.minimumVersion = value.choice(TLSVersion.self) }
        if let value = fields["max_version"] {
            value.problem("\(value.path) is not supported by ipvs-push: limit the versions on the server")
        }
        return tls
    }

    private static func readUsername(_ path: String, at value: YAMLValue) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            value.problem("cannot read the username file \(path): check the path and its permissions")
            return nil
        }
        return text.trimmingSpaces()
    }

    /// `path` as given when absolute, else relative to `directory` (the config file's).
    static func resolve(_ path: String, against directory: String) -> String {
        path.hasPrefix("/") || directory.isEmpty ? path : "\(directory)/\(path)"
    }
}
