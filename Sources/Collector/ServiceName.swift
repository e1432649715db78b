/// The name of a virtual service, as an orchestrator or the operator knows it: the
/// `ipvs_service_name_info` series, and the `service_name` label when asked for.
///
/// IPVS itself names nothing: Docker Swarm's services are firewall marks, a director's are
/// addresses and ports. A name comes from Docker's Engine API (the Swarm service behind a
/// mark) or from the operator's names file.
public struct ServiceName: Sendable, Hashable {
    /// Where a name came from.
    public enum Source: String, Sendable, Hashable, CaseIterable {
        case docker
        case file
    }

    public var name: String
    public var source: Source
    /// Docker: the service's `com.docker.stack.namespace` label; empty otherwise.
    public var stack: String
    /// Docker: the name of the network the mark belongs to (`ingress`, or an overlay network).
    public var network: String
    /// Docker: the service's virtual IP in that network, without its prefix length.
    public var virtualIP: String

    public init(name: String, source: Source, stack: String = "", network: String = "", virtualIP: String = "") {
        self.name = name
        self.source = source
        self.stack = stack
        self.network = network
        self.virtualIP = virtualIP
    }
}
