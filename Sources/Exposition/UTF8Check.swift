/// UTF-8 validation of the free-text parts of a document (help text, label values,
/// comments); the exposition formats are UTF-8 and Prometheus rejects anything else.
enum UTF8Check {
    /// The offset of the first byte that does not start or continue a well-formed
    /// UTF-8 sequence (overlong forms, surrogates and values above U+10FFFF included),
    /// or `nil` when all `count` bytes are valid.
    static func firstInvalidOffset(_ start: UnsafePointer<UInt8>, count: Int) -> Int? {
        var index = 0
        while index < count {
            let lead = start[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                high = 0x9F
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = start[index + 1]
            guard second >= low && second <= high else { return index }
            for offset in 2..<length where start[index + offset] & 0xC0 != 0x80 { return index }
            index += length
        }
        return nil
    }

    /// Whether all bytes are ASCII; the common case, checked eight bytes at a time.
    @inline(__always)
    static func isASCII(_ start: UnsafePointer<UInt8>, count: Int) -> Bool {
        let raw = UnsafeRawPointer(start)
        var offset = 0
        while offset + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            offset += 8
        }
        while offset < count {
            if start[offset] >= 0x80 { return false }
            offset += 1
        }
        return true
    }
}
