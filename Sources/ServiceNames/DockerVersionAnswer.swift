/// The fields of `GET /version` that choose the API version to speak. The path has no
/// version prefix, so every daemon answers it.
struct DockerVersionAnswer: Decodable, Sendable, Hashable {
    /// The daemon's newest API version (`1.47`).
    var apiVersion: String?
    /// The daemon's oldest API version (`1.24`; `1.44` from Engine 29 on).
    var minAPIVersion: String?
    /// The Engine release (`27.3.1`), for the log line.
    var version: String?

    enum CodingKeys: String, CodingKey {
        case apiVersion = "ApiVersion"
        case minAPIVersion = "MinAPIVersion"
        case version = "Version"
    }
}
