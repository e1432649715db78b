import ArgumentParser
import Configuration
import HTTPTransport

#if canImport(Glibc)
import Glibc
#endif

/// HTTP client settings shared by the Pushgateway and remote-write senders.
struct TransportOptions: ParsableArguments {
    @Option(name: .customLong("timeout"), help: "Timeout of one HTTP request.")
    var timeout = PrometheusDuration(.seconds(30), text: "30s")

    @Option(name: .customLong("header"), help: ArgumentHelp("An HTTP header to send (repeatable).", valueName: "name=value"))
    var headers: [NameValue] = []

    @Option(name: .customLong("basic-auth-user"), help: "User for HTTP basic authentication.")
    var basicAuthUser: String?

    @Option(name: .customLong("basic-auth-password-file"), help: "File holding the basic-authentication password.")
    var basicAuthPasswordFile: String?

    @Option(name: .customLong("bearer-token-file"), help: "File holding a bearer token (Authorization: Bearer).")
    var bearerTokenFile: String?

    @Option(name: .customLong("tls-ca-file"), help: "CA certificates to verify the server with (PEM).")
    var tlsCAFile: String?

    @Option(name: .customLong("tls-cert-file"), help: "Client certificate (PEM).")
    var tlsCertFile: String?

    @Option(name: .customLong("tls-key-file"), help: "Client certificate's private key (PEM).")
    var tlsKeyFile: String?

    @Flag(name: .customLong("tls-insecure-skip-verify"), help: "Do not verify the server's certificate (testing only).")
    var tlsInsecureSkipVerify = false

    @Option(
        name: .customLong("proxy-url"),
        help: "HTTP(S) proxy; by default the http_proxy, https_proxy and no_proxy environment variables apply.")
    var proxyURL: String?

    func validate() throws {
        if basicAuthUser != nil && basicAuthPasswordFile == nil {
            throw ValidationError("--basic-auth-user needs --basic-auth-password-file")
        }
        if basicAuthPasswordFile != nil && basicAuthUser == nil {
            throw ValidationError("--basic-auth-password-file needs --basic-auth-user")
        }
        if basicAuthUser != nil && bearerTokenFile != nil {
            throw ValidationError("--basic-auth-user and --bearer-token-file cannot be used together")
        }
        if (tlsCertFile == nil) != (tlsKeyFile == nil) {
            throw ValidationError("--tls-cert-file and --tls-key-file go together")
        }
        let files: [(String, String?)] = [
            ("--basic-auth-password-file", basicAuthPasswordFile), ("--bearer-token-file", bearerTokenFile),
            ("--tls-ca-file", tlsCAFile), ("--tls-cert-file", tlsCertFile), ("--tls-key-file", tlsKeyFile),
        ]
        for case (let flag, let path?) in files where access(path, R_OK) != 0 {
            throw ValidationError("\(flag) \(path): cannot read the file (\(String(cString: strerror(errno))))")
        }
        if timeout.duration <= .zero { throw ValidationError("--timeout must be positive") }
    }

    var configuration: TransportConfiguration {
        var authentication = HTTPAuthentication.none
        if let user = basicAuthUser, let file = basicAuthPasswordFile {
            authentication = .basic(username: user, passwordFile: file)
        } else if let file = bearerTokenFile {
            authentication = .bearer(tokenFile: file)
        }
        return TransportConfiguration(
            timeout: timeout.duration,
            tls: TLSConfiguration(
                caFile: tlsCAFile, certificateFile: tlsCertFile, keyFile: tlsKeyFile,
                insecureSkipVerify: tlsInsecureSkipVerify),
            proxyURL: proxyURL,
            authentication: authentication,
            headers: HTTPHeaders(headers.map { ($0.name, $0.value) }))
    }
}
