/// What a network namespace is to Docker, read from its file name under
/// `/var/run/docker/netns/`: that decides which network's virtual IPs its marks belong to.
public enum DockerNamespaceKind: Sendable, Hashable {
    /// `ingress_sbox`: the routing mesh. One mark per service that publishes ports, set
    /// for its published ports and for its virtual IP on the ingress network.
    case ingress
    /// `lb_<first 9 characters of an overlay network's id>`: one mark per service on that
    /// network, set for the service's virtual IP there.
    case loadBalancer(networkIDPrefix: String)
    /// Anything else: a container's sandbox (12 hex characters), a director's namespace,
    /// the agent's own.
    case other

    /// The kind of the namespace at `path` (its last path component decides).
    public init(namespacePath path: String) {
        let base = path.split(separator: "/").last.map(String.init) ?? ""
        if base == "ingress_sbox" {
            self = .ingress
        } else if base.hasPrefix("lb_"), base.count > 3 {
            self = .loadBalancer(networkIDPrefix: String(base.dropFirst(3)))
        } else {
            self = .other
        }
    }

    /// Whether Docker made the namespace for its load balancing, so that every
    /// firewall mark in it should be a Swarm service (an unnamed one means the cached
    /// answer is out of date).
    public var isDocker: Bool {
        if case .other = self { return false }
        return true
    }
}
