#if canImport(Glibc)
    import Glibc
#endif

/// Finds a TCP port on 127.0.0.1 that nothing listens on, by binding port 0 and
/// reading back what the kernel chose.
public enum FreePort {
    public static func allocate() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket() failed: errno \(errno)")
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        precondition(bound, "bind/getsockname failed: errno \(errno)")
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
