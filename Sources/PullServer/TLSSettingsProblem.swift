/// A combination of ``TLSServerSettings`` that cannot work, with the
/// `tls_server_config` key it is reported at (``key``).
public enum TLSSettingsProblem: Sendable, Hashable, CustomStringConvertible {
    /// A client CA is given but no client certificate is asked for.
    case clientCAWithoutClientAuthentication
    /// The policy verifies client certificates but there is no CA to verify them against.
    case clientAuthenticationWithoutClientCA(ClientCertificatePolicy)
    /// Allowed SANs are given but the policy lets clients connect without a certificate.
    case allowedSANsWithoutRequiredCertificate(ClientCertificatePolicy)
    /// `min_version` is above `max_version`.
    case versionsReversed(minimum: TLSProtocolVersion, maximum: TLSProtocolVersion)
    /// `cipher_suites` names only TLS 1.3 suites, which leaves TLS 1.0–1.2 without any.
    case onlyTLS13CipherSuites

    /// The `tls_server_config` key the problem is reported at.
    public var key: String {
        switch self {
        case .clientCAWithoutClientAuthentication: "client_ca_file"
        case .clientAuthenticationWithoutClientCA: "client_auth_type"
        case .allowedSANsWithoutRequiredCertificate: "client_allowed_sans"
        case .versionsReversed: "min_version"
        case .onlyTLS13CipherSuites: "cipher_suites"
        }
    }

    public var description: String {
        switch self {
        case .clientCAWithoutClientAuthentication:
            "a client CA is given but client_auth_type is NoClientCert, so no client certificate is asked for "
                + "(set client_auth_type: RequireAndVerifyClientCert, or remove the client CA)"
        case .clientAuthenticationWithoutClientCA(let policy):
            "client_auth_type \(policy.rawValue) verifies client certificates but no client CA is given "
                + "(set client_ca_file to the CA that signs the client certificates)"
        case .allowedSANsWithoutRequiredCertificate(let policy):
            "client_allowed_sans needs a client certificate on every connection, but client_auth_type "
                + "\(policy.rawValue) lets clients connect without one (use RequireAndVerifyClientCert)"
        case .versionsReversed(let minimum, let maximum):
            "min_version \(minimum.rawValue) is above max_version \(maximum.rawValue)"
        case .onlyTLS13CipherSuites:
            "cipher_suites names only TLS 1.3 suites, which cannot be chosen (all are always enabled), "
                + "leaving TLS 1.0-1.2 without any suite (add TLS 1.2 suites, or set min_version: TLS13)"
        }
    }
}
