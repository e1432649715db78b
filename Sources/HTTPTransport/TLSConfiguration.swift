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

    public init(
        caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
        insecureSkipVerify: Bool = false
    ) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}
