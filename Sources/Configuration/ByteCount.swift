/// A size in bytes: `1048576`, `512KiB`, `256MiB`, `1GiB` (also `KB`, `MB`, `GB` as
/// powers of 1000). The text is kept for messages.
public struct ByteCount: Sendable, Hashable, CustomStringConvertible {
    public let bytes: Int
    public let description: String

    public init(_ bytes: Int, text: String) {
        self.bytes = bytes
        self.description = text
    }

    /// Parses `text`; nil when it is not a size.
    public init?(_ text: String) {
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000),
            ("GB", 1_000_000_000),
            ("B", 1),
        ]
        var number = Substring(text)
        var factor = 1
        if let (unit, size) = units.first(where: { text.hasSuffix($0.0) }) {
            number = number.dropLast(unit.count)
            factor = size
        }
        guard let value = Int(number), value >= 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        self.init(product, text: text)
    }
}
