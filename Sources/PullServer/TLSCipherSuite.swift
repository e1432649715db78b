/// A TLS cipher suite by the names exporter-toolkit accepts in `cipher_suites`: those of
/// Go's `crypto/tls.CipherSuites()`, the suites without known weaknesses.
public struct TLSCipherSuite: Sendable, Hashable, CustomStringConvertible {
    /// The suite's name, as in the IANA registry and Go.
    public let name: String
    /// The suite's TLS code point.
    public let codePoint: UInt16

    private init(_ name: String, _ codePoint: UInt16) {
        self.name = name
        self.codePoint = codePoint
    }

    /// The suite called `name`, if it is one of ``supported``.
    public init?(name: String) {
        guard let suite = Self.supported.first(where: { $0.name == name }) else { return nil }
        self = suite
    }

    /// Whether the suite belongs to TLS 1.3, whose suites are always all enabled: neither
    /// Go nor BoringSSL lets them be chosen, so naming one changes nothing.
    public var isTLS13: Bool { codePoint >> 8 == 0x13 }

    public var description: String { name }

    /// Every suite `cipher_suites` may name.
    public static let supported: [TLSCipherSuite] = [
        TLSCipherSuite("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F),
        TLSCipherSuite("TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035),
        TLSCipherSuite("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009C),
        TLSCipherSuite("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009D),
        TLSCipherSuite("TLS_AES_128_GCM_SHA256", 0x1301),
        TLSCipherSuite("TLS_AES_256_GCM_SHA384", 0x1302),
        TLSCipherSuite("TLS_CHACHA20_POLY1305_SHA256", 0x1303),
        TLSCipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC009),
        TLSCipherSuite("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xC00A),
        TLSCipherSuite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013),
        TLSCipherSuite("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xC014),
        TLSCipherSuite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B),
        TLSCipherSuite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C),
        TLSCipherSuite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F),
        TLSCipherSuite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030),
        TLSCipherSuite("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8),
        TLSCipherSuite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9),
    ]
}
