import Privileges

#if canImport(Glibc)
    import Glibc
#endif

/// Which network namespace a file stands for: the device and inode of its nsfs file, the
/// same for every path and descriptor that refers to the namespace. A path that Docker
/// re-creates (`ingress_sbox` after a daemon restart) then shows a different identity.
public struct NamespaceIdentity: Hashable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64

    public init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of what `path` refers to now.
    public init(path: String) throws(NamespaceError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR:
                throw NamespaceError(.notFound, namespace: path, detail: errnoText(code))
            case EACCES, EPERM:
                throw NamespaceError(.entryDenied, namespace: path, detail: "stat: \(errnoText(code))")
            default:
                throw NamespaceError(.failure, namespace: path, detail: "stat: \(errnoText(code))")
            }
        }
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The identity of an open descriptor.
    public init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    public var description: String { "net:[\(inode)]" }
}
