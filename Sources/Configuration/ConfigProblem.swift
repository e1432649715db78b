/// One problem in a configuration file, with the place it was found.
///
/// Printed as `FILE:LINE:COLUMN: message`, the form editors and CI logs link to.
public struct ConfigProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when the problem concerns the file as a whole (it cannot be read).
    public var line: Int
    /// 1-based, counted in Unicode scalars as libyaml does; 0 with `line`.
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}
