import Privileges

#if canImport(Glibc)
    import Glibc
#endif

/// Which network namespace a file stands for: the device and inode of its nsfs file, the
/// same for every path and descriptor that refers to the namespace. A path that Docker
/// re-creates (`ingress_sbox` after a daemon restart) then shows a different identity.
struct NamespaceIdentity: Hashable, Sendable, CustomStringConvertible {
    var device: UInt64
    var inode: UInt64

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// The identity of what `path` refers to now.
    init(path: String) throws(CollectorError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR:
                throw CollectorError(.namespaceNotFound, namespace: path, detail: errnoText(code))
            case EACCES, EPERM:
                throw CollectorError(.namespaceEntryDenied, namespace: path, detail: "stat: \(errnoText(code))")
            default:
                throw CollectorError(.failure, namespace: path, detail: "stat: \(errnoText(code))")
            }
        }
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    /// The identity of an open descriptor.
    init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    var description: String { "net:[\(inode)]" }
}
