#if canImport(Glibc)
    import Glibc
#endif

/// Why the remote-write sender cannot be built or cannot keep its queue.
public enum RemoteWriteError: Error, Sendable, CustomStringConvertible {
    /// The configuration cannot work; the message says which setting and why.
    case configuration(String)
    /// A file operation of the on-disk queue failed.
    case queue(operation: String, path: String, errno: Int32)
    /// A batch could not be encoded or compressed (a bug or memory exhaustion).
    case encoding(String)

    public var description: String {
        switch self {
        case .configuration(let message):
            return message
        case .queue(let operation, let path, let code):
            let reason = String(cString: strerror(code))
            return "remote-write queue: cannot \(operation) \(path): \(reason) (errno \(code)); check that the "
                + "queue directory exists, is writable by this user and its file system has room"
        case .encoding(let message):
            return "remote-write encoding failed: \(message)"
        }
    }
}
