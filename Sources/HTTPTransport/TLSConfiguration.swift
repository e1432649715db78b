/// TLS settings for `https` URLs. Server certificates are verified against the
/// system's CA store (or `caFile`) unless `insecureSkipVerify` says otherwise.
public struct TLSConfiguration: Sendable, Hashable {
    /// A PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// A PEM client certificate for mutual TLS; needs `keyFile`.
    public var certificateFile: String?
    /// The PEM private key of `certificateFile`.
    public var keyFile: String?
    /// Skips verifying the server's certificate and host name. Only for tests and
    /// closed lab networks: anyone in the path can then read and change the traffic.
    public var insecureSkipVerify: Bool
    /// The oldest TLS version accepted (Prometheus' `min_version`); nil leaves
    /// libcurl's default (TLS 1.2 with Debian's OpenSSL).
    public var minimumVersion: TLSVersion?

    public init(
        caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        insecureSkipVerify: Bool = false, minimumVersion: TLSVersion? = nil
    ) {
        self.minimumVersion = minimumVersion
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}

/// A TLS protocol version, named as Prometheus' `min_version` names them.
public enum TLSVersion: String, Sendable, Hashable, CaseIterable, Comparable {
    case tls10 = "TLS10"
    case tls11 = "TLS11"
    case tls12 = "TLS12"
    case tls13 = "TLS13"

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
