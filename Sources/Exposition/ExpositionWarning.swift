/// Something in a document that is valid and sent, but is probably a mistake (a counter
/// `x` declared with samples named `x_total`), or that was repaired on the way (help text
/// that is not UTF-8). Reads `SOURCE:LINE: message`, like a parse error.
public struct ExpositionWarning: CustomStringConvertible, Sendable, Hashable {
    /// The document's name (usually its path) and the 1-based line.
    public var source: String, line: Int
    /// What was found, what is sent, and what to change if it was not meant.
    public var message: String

    public var description: String { "\(source):\(line): \(message)" }
}
