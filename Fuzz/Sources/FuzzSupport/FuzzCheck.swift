#if canImport(Glibc)
    import Glibc
#endif

/// Stops the run with a message when an invariant does not hold. libFuzzer sees the
/// abort as a crash, saves the input as `crash-<sha1>` and exits non-zero.
public func fuzzCheck(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    guard !condition() else { return }
    printToStandardError("FUZZ INVARIANT BROKEN at \(file):\(line): \(message())\n")
    abort()
}

/// Writes `text` to standard error (fd 2), unbuffered, so that it is out before an abort.
public func printToStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
            guard written > 0 else { return }
            offset += written
        }
    }
}
