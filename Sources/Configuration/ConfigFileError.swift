/// Every problem found in a configuration file, in file order: a file is checked as a
/// whole so that one run of `check-config` lists all of them.
public struct ConfigFileError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
