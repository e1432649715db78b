/// A Docker Engine API version, `MAJOR.MINOR` (`1.41`), as used in request paths (`/v1.41/services`).
///
/// Requests name the version they were written against, so the daemon answers in the
/// shape decoded here. 1.41 (Docker 20.10) is the oldest daemon in use on Swarm nodes,
/// and later daemons keep accepting it, except Engine 29 and later, whose oldest API is
/// 1.44. ``negotiate(minimum:maximum:)`` picks 1.41 unless the daemon's `MinAPIVersion` is
/// higher (or its `ApiVersion` lower); the fields read here have the same shape in every
/// version up to now.
public struct DockerAPIVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    /// The version the decoders were written against.
    public static let preferred = DockerAPIVersion(major: 1, minor: 41)

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `1.44`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major >= 0, minor >= 0 else {
            return nil
        }
        self.init(major: major, minor: minor)
    }

    /// The version to use with a daemon whose `MinAPIVersion` is `minimum` and whose
    /// `ApiVersion` is `maximum` (nil when the daemon did not say or said something
    /// unreadable): ``preferred`` unless the daemon no longer accepts it (Engine 29 and
    /// later) or does not accept it yet (before Docker 20.10; the fields read here exist
    /// since API 1.25).
    public static func negotiate(minimum: DockerAPIVersion?, maximum: DockerAPIVersion? = nil) -> DockerAPIVersion {
        if let minimum, minimum > preferred { return minimum }
        if let maximum, maximum < preferred { return maximum }
        return preferred
    }

    /// The path prefix, `/v1.41`.
    public var pathPrefix: String { "/v\(major).\(minor)" }

    public var description: String { "\(major).\(minor)" }

    public static func < (a: DockerAPIVersion, b: DockerAPIVersion) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }
}
