/// How IPVS forwards packets to a real server (`IP_VS_CONN_F_FWD_MASK` bits).
public enum ForwardingMethod: UInt32, Sendable, Hashable {
    case masquerade = 0
    case localNode = 1
    case tunnel = 2
    case directRoute = 3
    case bypass = 4

    /// The label value: `masq`, `local`, `tunnel`, `route` or `bypass`.
    public var name: String { literalName.description }

    /// ``name`` as a static string, for renderers that copy its bytes.
    public var literalName: StaticString {
        switch self {
        case .masquerade: "masq"
        case .localNode: "local"
        case .tunnel: "tunnel"
        case .directRoute: "route"
        case .bypass: "bypass"
        }
    }
}
