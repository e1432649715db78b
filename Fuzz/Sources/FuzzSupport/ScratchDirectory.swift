#if canImport(Glibc)
    import Glibc
#endif

/// A directory of the fuzzing process's own for parsers that read files (the queue
/// replays a directory, the agent's configuration is read from a path): in /dev/shm when
/// there is one, so that thousands of runs a second do not touch a disk. Removed at exit.
public enum ScratchDirectory {
    nonisolated(unsafe) private static var made: String?

    public static var path: String {
        if let made { return made }
        let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(base)/ipvs-push-fuzz-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let result = mkdtemp(buffer.baseAddress!) else { return nil }
            return String(cString: result)
        }
        guard let path else {
            printToStandardError("cannot create a scratch directory in \(base): \(String(cString: strerror(errno)))\n")
            exit(2)
        }
        made = path
        atexit { ScratchDirectory.removeAll() }
        return path
    }

    /// Writes `bytes` to `name` in the directory (replacing it) and returns its path.
    @discardableResult
    public static func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            printToStandardError("cannot write \(file): \(String(cString: strerror(errno)))\n")
            exit(2)
        }
        defer { close(fd) }
        var written = 0
        bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = Glibc.write(fd, buffer.baseAddress! + written, buffer.count - written)
                guard result > 0 else { break }
                written += result
            }
        }
        return file
    }

    /// Empties a subdirectory (creating it when missing) and returns its path.
    public static func emptied(_ name: String) -> String {
        let directory = path + "/" + name
        removeTree(directory)
        mkdir(directory, 0o700)
        return directory
    }

    static func removeAll() {
        if let made { removeTree(made) }
    }

    private static func removeTree(_ directory: String) {
        guard let handle = opendir(directory) else {
            unlink(directory)
            return
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(handle)
        for name in names {
            let child = directory + "/" + name
            if unlink(child) != 0 { removeTree(child) }
        }
        rmdir(directory)
    }
}
