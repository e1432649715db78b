/// A names source that cannot be used as configured: the Docker host is not a socket,
/// or the names file has problems (each with its line and column).
public struct CollectionSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}
