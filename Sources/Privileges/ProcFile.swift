#if canImport(Glibc)
    import Glibc
#endif

/// Small reads of /proc files, without Foundation: the capability sets and task lists
/// here, and the collector's namespace and sysctl files.
public enum ProcFile {
    /// The whole file as text, or nil with errno set.
    public static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return readAll(descriptor).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Everything left to read from `descriptor`, in reads of `chunkSize` bytes (retried on
    /// EINTR), or nil with errno set: the one read loop of the agent, also for its textfile
    /// and `send` input files.
    public static func readAll(_ descriptor: Int32, chunkSize: Int = 4096) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                return bytes
            } else if errno != EINTR {
                return nil
            }
        }
    }

    /// The numeric entries of a directory (/proc/self/task), or nil with errno set.
    public static func numericEntries(_ path: String) -> [Int32]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var numbers: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let number = Int32(name) { numbers.append(number) }
        }
        return numbers.sorted()
    }
}

/// `strerror` for `code` (the current errno by default), for messages.
public func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
