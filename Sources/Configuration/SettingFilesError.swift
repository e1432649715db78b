/// Files the settings name that cannot be used (``AgentSettings/fileProblems()``), as
/// one error: a reload that meets them keeps the settings in use.
public struct SettingFilesError: Error, Sendable, CustomStringConvertible {
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }

    public var description: String { problems.joined(separator: "\n") }
}
