/// Whether the TLS server asks clients for a certificate and what it does with one, by Go's
/// `crypto/tls.ClientAuthType` names as exporter-toolkit's `client_auth_type` uses them.
///
/// Only ``requireAndVerifyClientCert`` authenticates clients; the others are there because
/// the web configuration format has them.
public enum ClientCertificatePolicy: String, Sendable, Hashable, CaseIterable {
    /// No certificate is asked for (the default).
    case noClientCert = "NoClientCert"
    /// A certificate is asked for; the client may send none, and one sent is not verified.
    case requestClientCert = "RequestClientCert"
    /// The client must send a certificate, which is not verified.
    case requireAnyClientCert = "RequireAnyClientCert"
    /// The client may send no certificate; one sent must verify against the client CA.
    case verifyClientCertIfGiven = "VerifyClientCertIfGiven"
    /// The client must send a certificate that verifies against the client CA.
    case requireAndVerifyClientCert = "RequireAndVerifyClientCert"

    /// The policy for a `client_auth_type` value: the names above, the empty string for
    /// ``noClientCert`` and `RequireClientCert`, which exporter-toolkit keeps as an older
    /// name of ``requireAnyClientCert``.
    public init?(exporterToolkitName name: String) {
        switch name {
        case "": self = .noClientCert
        case "RequireClientCert": self = .requireAnyClientCert
        default:
            guard let policy = ClientCertificatePolicy(rawValue: name) else { return nil }
            self = policy
        }
    }

    /// Whether the server asks the client for a certificate at all.
    public var requestsCertificate: Bool { self != .noClientCert }

    /// Whether a client without a certificate is refused.
    public var requiresCertificate: Bool { self == .requireAnyClientCert || self == .requireAndVerifyClientCert }

    /// Whether a certificate the client sends is verified against the client CA.
    public var verifiesCertificate: Bool {
        self == .verifyClientCertIfGiven || self == .requireAndVerifyClientCert
    }
}
