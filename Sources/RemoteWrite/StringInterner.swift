#if canImport(Glibc)
    import Glibc
#endif

/// Every distinct label name, label value, help text and unit, kept once as a C
/// string for as long as a series uses it, so that filling protobuf-c structs copies
/// no strings: a `char *` field just points here.
///
/// Id 0 is always the empty string (remote write 2.0's `symbols[0]`).
final class StringInterner {
    private var ids: [String: UInt32] = [:]
    private var strings: [String] = []
    private(set) var cStrings: [UnsafeMutablePointer<CChar>] = []

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
        guard let copy = strdup(string) else { fatalError("out of memory interning a label string") }
        cStrings.append(copy)
        strings.append(string)
        ids[string] = id
        return id
    }

    @inline(__always)
    func cString(_ id: UInt32) -> UnsafeMutablePointer<CChar> { cStrings[Int(id)] }

    func string(_ id: UInt32) -> String { strings[Int(id)] }
}
