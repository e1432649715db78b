/// One item of `GET /services`: the fields that name a firewall mark. Unknown fields are
/// ignored and every field may be missing (a service being created has no `Endpoint`
/// yet; a `mode: dnsrr` service has no virtual IPs).
struct DockerServiceAnswer: Decodable, Sendable, Hashable {
    var id: String?
    var spec: Spec?
    var endpoint: Endpoint?

    struct Spec: Decodable, Sendable, Hashable {
        var name: String?
        var labels: [String: String]?

        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case labels = "Labels"
        }
    }

    struct Endpoint: Decodable, Sendable, Hashable {
        var ports: [Port]?
        var virtualIPs: [VirtualIP]?

        enum CodingKeys: String, CodingKey {
            case ports = "Ports"
            case virtualIPs = "VirtualIPs"
        }
    }

    /// A published port (`docker service create -p 30000:80`).
    struct Port: Decodable, Sendable, Hashable {
        /// `tcp`, `udp` or `sctp`.
        var transportProtocol: String?
        var targetPort: Int?
        var publishedPort: Int?
        /// `ingress` (the routing mesh, the default when absent) or `host`.
        var publishMode: String?

        enum CodingKeys: String, CodingKey {
            case transportProtocol = "Protocol"
            case targetPort = "TargetPort"
            case publishedPort = "PublishedPort"
            case publishMode = "PublishMode"
        }
    }

    /// The service's address in one network, with its prefix length (`10.0.1.2/24`).
    struct VirtualIP: Decodable, Sendable, Hashable {
        var networkID: String?
        var address: String?

        enum CodingKeys: String, CodingKey {
            case networkID = "NetworkID"
            case address = "Addr"
        }
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case spec = "Spec"
        case endpoint = "Endpoint"
    }

    /// `Spec.Name`, the name `docker service ls` shows.
    var name: String? { spec?.name }

    /// The stack a `docker stack deploy` made it part of, or "".
    var stack: String { spec?.labels?["com.docker.stack.namespace"] ?? "" }
}
