import CZlib

#if canImport(Glibc)
    import Glibc
#endif

/// The POSIX calls of the on-disk queue, each checking its result and throwing an
/// error that names the operation and the path.
enum QueueFiles {
    static func makeDirectory(_ path: String) throws(RemoteWriteError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
                throw .queue(operation: "create directory", path: prefix, errno: errno)
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .queue(operation: "inspect", path: path, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw .queue(operation: "use as directory", path: path, errno: ENOTDIR)
        }
    }

    /// The names in `path` (without "." and ".."), sorted.
    static func list(_ path: String) throws(RemoteWriteError) -> [String] {
        guard let directory = opendir(path) else { throw .queue(operation: "list", path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws(RemoteWriteError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw .queue(operation: "open", path: path, errno: errno) }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(RemoteWriteError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(RemoteWriteError) in try writeAll(fd, raw, path: path) }
        }
        try result.get()
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(RemoteWriteError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw .queue(operation: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func read(_ fd: Int32, count: Int, at offset: Int, path: String) throws(RemoteWriteError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes {
                pread(fd, $0.baseAddress! + filled, count - filled, off_t(offset + filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw .queue(operation: "read", path: path, errno: errno)
            }
            if got == 0 { break }
            filled += got
        }
        if filled < count { buffer.removeLast(count - filled) }
        return buffer
    }

    static func size(_ fd: Int32, path: String) throws(RemoteWriteError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .queue(operation: "inspect", path: path, errno: errno) }
        return Int(info.st_size)
    }

    /// Opens `path` and takes an exclusive `flock` on it, so that two senders (in this
    /// process or another) never share a queue. The kernel releases it when the
    /// descriptor is closed or the process dies, SIGKILL included. A lock held by
    /// someone else is tried again for up to `wait`: a restarted agent may start while
    /// the old one is still exiting, and a child process being spawned elsewhere in this
    /// process briefly holds a copy of every descriptor.
    static func lockExclusively(_ path: String, wait: Duration = .seconds(5)) throws(RemoteWriteError) -> Int32 {
        let fd = try open(path, flags: O_RDWR | O_CREAT)
        let deadline = ContinuousClock.now + wait
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            if code == EWOULDBLOCK && ContinuousClock.now < deadline {
                usleep(50_000)
                continue
            }
            Glibc.close(fd)
            if code == EWOULDBLOCK {
                throw .configuration(
                    "remote-write queue \(path) is in use by another sender (another ipvs-push process, or the same "
                        + "URL configured twice); give each its own queue directory")
            }
            throw .queue(operation: "lock", path: path, errno: code)
        }
        return fd
    }

    static func sync(_ fd: Int32, path: String) throws(RemoteWriteError) {
        guard fsync(fd) == 0 else { throw .queue(operation: "fsync", path: path, errno: errno) }
    }

    /// Makes a directory's entries (new, renamed and removed files) durable.
    static func syncDirectory(_ path: String) throws(RemoteWriteError) {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, path: path)
    }

    static func truncate(_ fd: Int32, to length: Int, path: String) throws(RemoteWriteError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw .queue(operation: "truncate", path: path, errno: errno) }
    }

    static func remove(_ path: String) throws(RemoteWriteError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .queue(operation: "remove", path: path, errno: errno) }
    }

    static func rename(_ path: String, to newPath: String) throws(RemoteWriteError) {
        guard Glibc.rename(path, newPath) == 0 else { throw .queue(operation: "rename", path: path, errno: errno) }
    }

    static func removeDirectory(_ path: String) throws(RemoteWriteError) {
        guard rmdir(path) == 0 || errno == ENOENT else { throw .queue(operation: "remove", path: path, errno: errno) }
    }

    /// Replaces `path` with `bytes` atomically: a reader (or a restart after a crash)
    /// sees the old content or the new, never a mix.
    static func replace(_ path: String, with bytes: [UInt8], sync: Bool, directory: String) throws(RemoteWriteError) {
        let temporary = path + ".tmp"
        let fd = try open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do throws(RemoteWriteError) {
            try writeAll(fd, bytes, path: temporary)
            if sync { try self.sync(fd, path: temporary) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard Glibc.rename(temporary, path) == 0 else {
            throw .queue(operation: "rename into place", path: path, errno: errno)
        }
        if sync { try syncDirectory(directory) }
    }

    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return UInt32(CZlib.crc32(0, nil, 0)) }
        return UInt32(truncatingIfNeeded: CZlib.crc32(0, base.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
    }
}
