/// A TLS protocol version by exporter-toolkit's names (`min_version`, `max_version`).
public enum TLSProtocolVersion: String, Sendable, Hashable, CaseIterable, Comparable {
    case tls10 = "TLS10"
    case tls11 = "TLS11"
    case tls12 = "TLS12"
    case tls13 = "TLS13"

    private var order: Int {
        switch self {
        case .tls10: 0
        case .tls11: 1
        case .tls12: 2
        case .tls13: 3
        }
    }

    public static func < (lhs: TLSProtocolVersion, rhs: TLSProtocolVersion) -> Bool {
        lhs.order < rhs.order
    }
}
