/// A names file that cannot be used, with every problem found in it (not only the first),
/// so one edit can fix them all.
public struct NamesFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// In file order.
    public var problems: [NamesFileProblem]

    public init(problems: [NamesFileProblem]) {
        self.problems = problems
    }

    public var description: String {
        guard problems.count > 1 else { return problems.first?.description ?? "the names file cannot be used" }
        return "the names file has \(problems.count) problems:\n"
            + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}
