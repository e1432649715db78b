/// Why an exposition document was rejected, and where: the source (a file name, a URL)
/// and the 1-based line. `description` reads `SOURCE:LINE: reason`, the form editors and
/// CI logs link to; the reason says what is wrong and what was expected.
public struct ExpositionParseError: Error, CustomStringConvertible, Sendable, Hashable {
    /// The name the caller gave the document (usually its path).
    public var source: String
    /// The 1-based line the problem is on (one past the last line for a missing `# EOF`).
    public var line: Int
    /// What is wrong and what the format expects instead.
    public var reason: String

    public init(source: String, line: Int, reason: String) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    public var description: String { "\(source):\(line): \(reason)" }
}
