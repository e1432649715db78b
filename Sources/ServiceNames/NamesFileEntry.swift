import Collector

/// One entry of a names file: a name and the virtual service it is for.
public struct NamesFileEntry: Sendable, Hashable {
    /// What a virtual service is known by to IPVS.
    public enum Target: Sendable, Hashable {
        /// `-t/-u/--sctp-service ADDRESS:PORT`.
        case address(TransportProtocol, IPAddress, port: UInt16)
        /// `-f MARK`, in one address family (`-6`).
        case firewallMark(UInt32, IPAddressFamily)

        /// The target `service` is, if it has a complete one.
        public init?(_ service: VirtualService) {
            if let mark = service.firewallMark {
                self = .firewallMark(mark, service.family)
            } else if let transport = service.transportProtocol, let address = service.address,
                let port = service.port
            {
                self = .address(transport, address, port: port)
            } else {
                return nil
            }
        }
    }

    public var name: String
    public var target: Target
    /// Only services read from this namespace path (as given to `--namespace-path`);
    /// nil for any namespace.
    public var namespace: String?
    /// Where the entry starts in the file, for messages.
    public var line: Int
    public var column: Int

    public init(name: String, target: Target, namespace: String? = nil, line: Int = 0, column: Int = 0) {
        self.name = name
        self.target = target
        self.namespace = namespace
        self.line = line
        self.column = column
    }
}
