/// One label pair of a sample.
public struct Label: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Whether `name` has the classic label name syntax, `[a-zA-Z_][a-zA-Z0-9_]*`, the
    /// one every receiver accepts.
    public static func isValidName(_ name: String) -> Bool {
        var first = true
        for byte in name.utf8 {
            let letter =
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_")
            guard letter || (!first && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)) else { return false }
            first = false
        }
        return !first
    }

    /// Whether `name` is reserved for Prometheus' own use (`__name__`, `__address__`, …):
    /// it starts with two underscores.
    public static func isReservedName(_ name: String) -> Bool { name.hasPrefix("__") }
}
