#if canImport(Glibc)
    import Glibc
#endif

/// Writes to standard output and error without buffering surprises.
enum StandardStreams {
    static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Prints `ipvs-push: error: MESSAGE` on standard error.
    static func error(_ message: String) {
        write(Array("ipvs-push: error: \(message)\n".utf8), to: STDERR_FILENO)
    }

    static func warning(_ message: String) {
        write(Array("ipvs-push: warning: \(message)\n".utf8), to: STDERR_FILENO)
    }
}
