/// Why Docker's Engine API gave no usable answer. The descriptions say where (the
/// socket, the request path) and what to check; they are the reason in the warning
/// logged when names from Docker stop.
public enum DockerQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The socket file is not there: Docker is not running, or not at this path.
    case socketMissing(socket: String)
    /// The socket exists but may not be opened: the agent is neither root nor in the
    /// `docker` group (or lost `CAP_DAC_OVERRIDE`).
    case permissionDenied(socket: String)
    /// Connecting or talking failed otherwise (connection refused: a stale socket file
    /// of a stopped daemon; a reset).
    case unreachable(socket: String, reason: String)
    /// No complete answer in time.
    case timeout(socket: String, path: String, seconds: Double)
    /// The daemon answered with a status other than 2xx; `message` is its explanation.
    case status(path: String, status: Int, message: String)
    /// The body is not the JSON documented for the path (or was longer than the limit).
    case badAnswer(path: String, reason: String)

    public var description: String {
        switch self {
        case .socketMissing(let socket):
            return "the Docker socket \(socket) does not exist; is Docker running? (--docker-host)"
        case .permissionDenied(let socket):
            return "permission denied on the Docker socket \(socket); run ipvs-push as root or in the docker group"
        case .unreachable(let socket, let reason):
            return "cannot talk to Docker at \(socket): \(reason); is the Docker daemon running?"
        case .timeout(let socket, let path, let seconds):
            return "Docker at \(socket) did not answer GET \(path) within \(seconds.formatted()) s; "
                + "the daemon is hanging or overloaded"
        case .status(let path, let status, let message):
            let shown = message.isEmpty ? "(no message)" : message
            return "Docker answered GET \(path) with HTTP \(status): \(shown)"
                + (status == 503 ? " (is this node a Swarm manager? names need a manager's API)" : "")
        case .badAnswer(let path, let reason):
            return "Docker's answer to GET \(path) is not what ipvs-push reads: \(reason)"
        }
    }
}

extension Double {
    /// `2`, `0.5`: seconds without a trailing `.0`.
    fileprivate func formatted() -> String {
        self == rounded() ? String(Int(self)) : String(self)
    }
}
