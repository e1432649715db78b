/// Something that reads Docker's services and networks: ``DockerEngineClient`` over the
/// daemon's socket, or a stand-in in tests of the refresh policy.
public protocol DockerInventorySource: Sendable {
    /// Where the answers come from, for log lines (`unix:///var/run/docker.sock`).
    var location: String { get }
    /// One complete read. Throws when there is no usable answer.
    func fetch() async throws(DockerQueryError) -> DockerInventory
}
