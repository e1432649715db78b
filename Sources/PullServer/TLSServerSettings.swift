/// The TLS side of exporter-toolkit's `tls_server_config`, as plain values: with it the
/// listener speaks only TLS.
///
/// How each setting maps onto swift-nio-ssl (BoringSSL):
/// - the certificate source may hold a chain (leaf first, then intermediates);
/// - ``clientCertificatePolicy`` and ``clientCA`` become the peer verification mode and its
///   trust roots; the CA names are sent in the certificate request, as Go does;
/// - ``clientAllowedSANs``: the client certificate must carry one of these DNS names,
///   e-mail addresses, IP addresses or URIs among its subject alternative names. It is
///   checked when the first bytes of the first request arrive, before anything is parsed:
///   a certificate without a listed name gets the connection closed unanswered;
/// - ``cipherSuites`` restricts the TLS 1.0–1.2 suites in the order given; TLS 1.3 suites
///   are always all enabled, as in Go;
/// - ``curvePreferences`` sets the key-exchange groups in the order given.
///
/// `prefer_server_cipher_suites` and `http2` have no counterpart here: Go has ignored the
/// first since 1.18 and BoringSSL picks by the client's order, and this server speaks
/// HTTP/1.1 only (ALPN `http/1.1`), which clients asking for HTTP/2 fall back to.
public struct TLSServerSettings: Sendable, Hashable {
    /// The server certificate (`cert_file` or `cert`).
    public var certificate: PEMSource
    /// The certificate's private key (`key_file` or `key`), unencrypted PEM.
    public var privateKey: PEMSource
    /// `client_auth_type`.
    public var clientCertificatePolicy: ClientCertificatePolicy
    /// The CA certificates client certificates are verified against (`client_ca_file` or
    /// `client_ca`). Required when ``clientCertificatePolicy`` verifies.
    public var clientCA: PEMSource?
    /// `client_allowed_sans`; empty allows every verified client.
    public var clientAllowedSANs: [String]
    /// `min_version`, TLS 1.2 by default.
    public var minimumVersion: TLSProtocolVersion
    /// `max_version`, TLS 1.3 by default.
    public var maximumVersion: TLSProtocolVersion
    /// `cipher_suites`; empty leaves BoringSSL's defaults.
    public var cipherSuites: [TLSCipherSuite]
    /// `curve_preferences`; empty leaves BoringSSL's defaults.
    public var curvePreferences: [TLSCurve]

    public init(
        certificate: PEMSource,
        privateKey: PEMSource,
        clientCertificatePolicy: ClientCertificatePolicy = .noClientCert,
        clientCA: PEMSource? = nil,
        clientAllowedSANs: [String] = [],
        minimumVersion: TLSProtocolVersion = .tls12,
        maximumVersion: TLSProtocolVersion = .tls13,
        cipherSuites: [TLSCipherSuite] = [],
        curvePreferences: [TLSCurve] = []
    ) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.clientCertificatePolicy = clientCertificatePolicy
        self.clientCA = clientCA
        self.clientAllowedSANs = clientAllowedSANs
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.cipherSuites = cipherSuites
        self.curvePreferences = curvePreferences
    }

    /// Reads the certificate, key and client CA and builds a TLS context from them, as the
    /// server does when it starts, so that a configuration can be checked before it is used.
    ///
    /// - Throws: ``MetricsServerError/invalidTLSMaterial(key:source:reason:)`` naming the
    ///   key and file at fault, or ``MetricsServerError/invalidTLSSettings(_:)``.
    public func checkMaterial() throws(MetricsServerError) {
        _ = try TLSMaterialLoader.load(self)
    }

    /// What makes these settings unusable together, in the order of the fields; empty
    /// when they are consistent. (Whether the files exist and hold what they should is
    /// checked when the server starts.)
    public var problems: [TLSSettingsProblem] {
        var problems: [TLSSettingsProblem] = []
        if clientCA != nil && !clientCertificatePolicy.requestsCertificate {
            problems.append(.clientCAWithoutClientAuthentication)
        }
        if clientCA == nil && clientCertificatePolicy.verifiesCertificate {
            problems.append(.clientAuthenticationWithoutClientCA(clientCertificatePolicy))
        }
        if !clientAllowedSANs.isEmpty && !clientCertificatePolicy.requiresCertificate {
            problems.append(.allowedSANsWithoutRequiredCertificate(clientCertificatePolicy))
        }
        if minimumVersion > maximumVersion {
            problems.append(.versionsReversed(minimum: minimumVersion, maximum: maximumVersion))
        }
        if !cipherSuites.isEmpty && cipherSuites.allSatisfy(\.isTLS13) && minimumVersion < .tls13 {
            problems.append(.onlyTLS13CipherSuites)
        }
        return problems
    }
}
