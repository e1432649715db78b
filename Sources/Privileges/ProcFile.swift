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

    /// Everything left to read from `descriptor` (reads retried on EINTR; `chunkSize` is
    /// the first buffer when the length is unknown), or nil with errno set: the one read
    /// loop of the agent, also for its textfile and `send` input files.
    public static func readAll(_ descriptor: Int32, chunkSize: Int = 4096) -> [UInt8]? {
        // Straight into the array, without zero-filling it first: sized by the length of a
        // regular file (a 100 MB textfile is then read without growing and copying the
        // buffer), growing by doubling for anything else (/proc files report no length,
        // pipes have none).
        var status = stat()
        let length = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : 0
        var size = max(length + 1, chunkSize)
        var bytes: [UInt8] = []
        while true {
            // 1: the buffer is full, grow it; 0: end of file; -1: a read failed.
            var outcome = 0
            let earlier = bytes
            bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                let base = buffer.baseAddress!
                earlier.withUnsafeBufferPointer {
                    if let start = $0.baseAddress { base.initialize(from: start, count: $0.count) }
                }
                var filled = earlier.count
                while filled < size {
                    let count = Glibc.read(descriptor, base + filled, size - filled)
                    if count > 0 {
                        filled += count
                    } else if count == 0 || errno != EINTR {
                        outcome = count == 0 ? 0 : -1
                        break
                    }
                }
                if filled == size { outcome = 1 }
                initialized = filled
            }
            switch outcome {
            case 0: return bytes
            case 1: size *= 2
            default: return nil
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
