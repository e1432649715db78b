/// The fuzzer's bytes read front to back: a harness takes a few control bytes (which
/// parser, which mode) and hands the rest to the parser.
public struct FuzzInput {
    public private(set) var bytes: ArraySlice<UInt8>

    public init(_ start: UnsafePointer<UInt8>?, _ count: Int) {
        bytes = start.map { Array(UnsafeBufferPointer(start: $0, count: count))[...] } ?? []
    }

    /// The next byte, 0 once the input is used up.
    public mutating func byte() -> UInt8 {
        bytes.popFirst() ?? 0
    }

    /// The bytes up to the next `separator` (which is consumed), or all that is left.
    public mutating func part(separatedBy separator: [UInt8]) -> [UInt8] {
        guard !separator.isEmpty, bytes.count >= separator.count else { return rest() }
        var index = bytes.startIndex
        while index + separator.count <= bytes.endIndex {
            if bytes[index..<(index + separator.count)].elementsEqual(separator) {
                let part = Array(bytes[..<index])
                bytes = bytes[(index + separator.count)...]
                return part
            }
            index += 1
        }
        return rest()
    }

    /// All that is left.
    public mutating func rest() -> [UInt8] {
        defer { bytes = [] }
        return Array(bytes)
    }
}
