#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads credentials and checks the files the configuration names, with errors that
/// say which file and why (never what the file contains).
enum SecretFile {
    /// The content of `path` without leading and trailing white space.
    static func load(_ path: String, purpose: String) throws(HTTPTransportError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .configuration(
                "cannot read the \(purpose) file \(path): \(errorText(errno)); fix the path or "
                    + "the file's permissions")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .configuration("cannot read the \(purpose) file \(path): \(errorText(errno))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > 1 << 20 {
                throw .configuration("the \(purpose) file \(path) is larger than 1 MiB; it should hold only the secret")
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let trimmed = text.trimmingWhiteSpace()
        guard !trimmed.isEmpty else {
            throw .configuration("the \(purpose) file \(path) is empty; write the secret into it")
        }
        return trimmed
    }

    /// Throws unless `path` names a readable regular file.
    static func checkReadable(_ path: String, purpose: String) throws(HTTPTransportError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw .configuration("the \(purpose) file \(path) cannot be used: \(errorText(errno)); fix the path")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .configuration("the \(purpose) file \(path) is not a regular file; give the path of a PEM file")
        }
        guard access(path, R_OK) == 0 else {
            throw .configuration(
                "the \(purpose) file \(path) is not readable: \(errorText(errno)); fix its "
                    + "permissions")
        }
    }

    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

extension String {
    fileprivate func trimmingWhiteSpace() -> String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
