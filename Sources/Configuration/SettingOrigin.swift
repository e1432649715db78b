/// Which layer a setting's value came from, for error messages.
public enum SettingOrigin: Sendable, Hashable, CustomStringConvertible {
    case flag(String)
    case environment(String)
    /// The file, with the value's position and its path in the file.
    case file(file: String, line: Int, column: Int, path: String)
    case defaultValue

    /// Whether the value came from the configuration file.
    public var isFile: Bool {
        if case .file = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .flag(let flag): flag
        case .environment(let name): name
        case .file(let file, let line, let column, let path): "\(file):\(line):\(column): \(path)"
        case .defaultValue: "default"
        }
    }
}
