/// Why a `--docker-host` value cannot be used. Each description says which value, what
/// is wrong and what to give instead.
public enum DockerHostError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not a `unix://` URL (`tcp://`, `http://`, a bare path).
    case unsupportedScheme(url: String)
    /// `unix://` with nothing after it.
    case emptyPath(url: String)
    /// `unix://var/run/docker.sock`: the path must start with `/`.
    case relativePath(url: String)
    /// The path cannot be examined: `missing` when it does not exist, else `reason`
    /// (permission denied on a directory, a name too long) says why.
    case unusableSocket(url: String, reason: String, missing: Bool)
    /// The path exists but is a file, a directory or anything else but a socket.
    case notASocket(url: String)

    public var description: String {
        switch self {
        case .unsupportedScheme(let url):
            return "--docker-host \(url): only unix:// URLs are supported (Docker's Engine API socket); "
                + "give e.g. \(DockerHost.defaultURL)"
        case .emptyPath(let url):
            return "--docker-host \(url): the URL has no socket path; give e.g. \(DockerHost.defaultURL)"
        case .relativePath(let url):
            return "--docker-host \(url): the socket path must be absolute (three slashes after unix:), "
                + "e.g. \(DockerHost.defaultURL)"
        case .unusableSocket(let url, let reason, let missing):
            if missing {
                return "--docker-host \(url): the socket does not exist; is Docker running on this host? "
                    + "(in a container, mount the host's /var/run/docker.sock)"
            }
            return "--docker-host \(url): the socket cannot be examined: \(reason)"
        case .notASocket(let url):
            return "--docker-host \(url): the path is not a socket; give the Docker daemon's socket, "
                + "e.g. \(DockerHost.defaultURL)"
        }
    }
}
