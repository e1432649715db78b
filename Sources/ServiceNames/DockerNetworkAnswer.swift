/// One item of `GET /networks`: the fields that tie a namespace to a network.
struct DockerNetworkAnswer: Decodable, Sendable, Hashable {
    /// The full id; an `lb_` namespace is named after its first 9 characters.
    var id: String?
    var name: String?
    /// True for the routing mesh's network (`ingress`), whose namespace is `ingress_sbox`.
    var ingress: Bool?
    var driver: String?

    enum CodingKeys: String, CodingKey {
        case id = "Id"
        case name = "Name"
        case ingress = "Ingress"
        case driver = "Driver"
    }
}
