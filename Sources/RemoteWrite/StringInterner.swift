#if canImport(Glibc)
    import Glibc
#endif

/// Every distinct label name, label value, help text and unit, kept once as a C
/// string with its length for as long as a series uses it, so that the encoders copy
/// bytes from here without measuring or converting strings again.
///
/// Id 0 is always the empty string (remote write 2.0's `symbols[0]`).
final class StringInterner {
    private var ids: [String: UInt32] = [:]
    private var strings: [String] = []
    private(set) var cStrings: [UnsafeMutablePointer<CChar>] = []
    /// The UTF-8 length of each string, by id.
    private(set) var lengths: [Int] = []

    init() {
        _ = intern("")
    }

    deinit {
        for pointer in cStrings { free(pointer) }
    }

    var count: Int { cStrings.count }

    func intern(_ string: String) -> UInt32 {
        if let id = ids[string] { return id }
        let id = UInt32(cStrings.count)
        // Copied by length, not strdup: a NUL inside a value must not cut it short.
        let length = string.utf8.count
        guard let copy = malloc(length + 1)?.assumingMemoryBound(to: CChar.self) else {
            fatalError("out of memory interning a label string")
        }
        var text = string
        text.withUTF8 { bytes in
            if let source = bytes.baseAddress {
                UnsafeMutableRawPointer(copy).copyMemory(from: source, byteCount: length)
            }
        }
        copy[length] = 0
        cStrings.append(copy)
        lengths.append(length)
        strings.append(string)
        ids[string] = id
        return id
    }

    @inline(__always)
    func cString(_ id: UInt32) -> UnsafeMutablePointer<CChar> { cStrings[Int(id)] }

    func string(_ id: UInt32) -> String { strings[Int(id)] }

    /// Calls `body` with every string's bytes and length by id, for encoding loops that
    /// must not touch the arrays (and their reference counts) once per string.
    func withStrings<R>(
        _ body: (UnsafeBufferPointer<UnsafeMutablePointer<CChar>>, UnsafeBufferPointer<Int>) throws -> R
    ) rethrows -> R {
        try cStrings.withUnsafeBufferPointer { pointers in
            try lengths.withUnsafeBufferPointer { lengths in try body(pointers, lengths) }
        }
    }
}
