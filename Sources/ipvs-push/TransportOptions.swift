import ArgumentParser
import Configuration

/// HTTP client settings of the Pushgateway and of `--remote-write` URLs (in the
/// configuration file: the `pushgateway` section; each `remote_write` entry has its own).
struct TransportOptions: ParsableArguments, GivenFlags {
    @Option(name: .customLong("timeout"), help: "Timeout of one HTTP request (default: 30s).")
    var timeout: String?

    @Option(
        name: .customLong("header"), help: ArgumentHelp("An HTTP header to send (repeatable).", valueName: "name=value")
    )
    var headers: [String] = []

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

    @Flag(
        name: .customLong("tls-insecure-skip-verify"), inversion: .prefixedNo,
        help: "Do not verify the server's certificate (testing only).")
    var tlsInsecureSkipVerify: Bool?

    @Option(
        name: .customLong("proxy-url"),
        help: "HTTP(S) proxy; by default the http_proxy, https_proxy and no_proxy environment variables apply.")
    var proxyURL: String?

    var given: [SettingKey: [String]] {
        var flags: [SettingKey: [String]] = [:]
        flags.put(.timeout, timeout)
        flags.put(.header, headers)
        flags.put(.basicAuthUser, basicAuthUser)
        flags.put(.basicAuthPasswordFile, basicAuthPasswordFile)
        flags.put(.bearerTokenFile, bearerTokenFile)
        flags.put(.tlsCAFile, tlsCAFile)
        flags.put(.tlsCertFile, tlsCertFile)
        flags.put(.tlsKeyFile, tlsKeyFile)
        flags.put(.tlsInsecureSkipVerify, tlsInsecureSkipVerify)
        flags.put(.proxyURL, proxyURL)
        return flags
    }
}
