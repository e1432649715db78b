#if canImport(Glibc)
    import Glibc
#endif

/// Where Docker's Engine API listens: the `--docker-host` option, a `unix://` URL such as
/// `unix:///var/run/docker.sock`.
///
/// Only Unix sockets are supported: the daemon's TCP endpoint needs TLS client
/// certificates and is off on a Swarm node by default, while the socket is always there.
/// The socket is checked when the option is read, so a typo fails at start-up rather
/// than as a warning at the first collection.
public struct DockerHost: Sendable, Hashable, CustomStringConvertible {
    /// The socket file, e.g. `/var/run/docker.sock`.
    public let socketPath: String

    /// Docker's own default, the same as `DOCKER_HOST`'s.
    public static let defaultURL = "unix:///var/run/docker.sock"

    /// Parses `url` and checks that its path is a socket. Throws a ``DockerHostError``
    /// naming the URL and what to change.
    public init(_ url: String) throws(DockerHostError) {
        let scheme = "unix://"
        guard url.lowercased().hasPrefix(scheme) else {
            throw .unsupportedScheme(url: url)
        }
        let path = String(url.dropFirst(scheme.count))
        guard !path.isEmpty else { throw .emptyPath(url: url) }
        guard path.hasPrefix("/") else { throw .relativePath(url: url) }
        try Self.checkSocket(path, url: url)
        socketPath = path
    }

    /// A host for a socket path taken as is, unchecked (a socket that is not there yet).
    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// The `unix://` URL.
    public var description: String { "unix://\(socketPath)" }

    private static func checkSocket(_ path: String, url: String) throws(DockerHostError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            throw .unusableSocket(url: url, reason: String(cString: strerror(code)), missing: code == ENOENT)
        }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw .notASocket(url: url)
        }
    }
}
