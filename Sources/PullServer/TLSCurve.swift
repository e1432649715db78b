/// An elliptic curve for the ECDHE key exchange, by the names exporter-toolkit accepts in
/// `curve_preferences` (Go's `crypto/tls.CurveID` names).
public enum TLSCurve: String, Sendable, Hashable, CaseIterable {
    case p256 = "CurveP256"
    case p384 = "CurveP384"
    case p521 = "CurveP521"
    case x25519 = "X25519"

    /// The curve's TLS code point (IANA "Supported Groups").
    public var codePoint: UInt16 {
        switch self {
        case .p256: 0x17
        case .p384: 0x18
        case .p521: 0x19
        case .x25519: 0x1D
        }
    }
}
