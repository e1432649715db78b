import Foundation
import Yams

/// Reads a YAML file strictly: every value is checked against the type its key needs,
/// unknown keys are errors, and every problem is recorded with its line and column
/// instead of stopping at the first one.
///
/// The accessors on ``YAMLValue`` and ``YAMLMapping`` return nil after recording a
/// problem, so a reader goes through the whole file and then asks ``finish(_:)`` for
/// the result or the list of problems.
public final class YAMLReader {
    /// The file name used in problems.
    public let file: String
    private(set) var problems: [ConfigProblem] = []

    public init(file: String) {
        self.file = file
    }

    /// Reads `path` and parses it; nil (with a problem recorded) when it cannot be read
    /// or is not YAML. An empty file is an empty mapping.
    public static func load(path: String) -> (YAMLReader, YAMLValue?) {
        let reader = YAMLReader(file: path)
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? "\(error)"
            reader.record(line: 0, column: 0, "cannot read the file: \(reason)")
            return (reader, nil)
        }
        return (reader, reader.parse(text))
    }

    /// Parses YAML text; nil (with a problem recorded) when it is not YAML.
    public func parse(_ text: String) -> YAMLValue? {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return YAMLValue(node: Node.Mapping([]).asNode, path: "", reader: self)
            }
            return YAMLValue(node: node, path: "", reader: self)
        } catch let error as YamlError {
            recordSyntax(error)
            return nil
        } catch {
            record(line: 0, column: 0, "not valid YAML: \(error)")
            return nil
        }
    }

    /// The value built from the file, or every problem found.
    public func finish<T>(_ value: T?) throws(ConfigFileError) -> T {
        if let value, problems.isEmpty { return value }
        if problems.isEmpty { record(line: 0, column: 0, "the file could not be read as a configuration") }
        throw ConfigFileError(problems: problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) })
    }

    /// Whether a problem has been recorded so far.
    public var hasProblems: Bool { !problems.isEmpty }

    func record(line: Int, column: Int, _ message: String) {
        problems.append(ConfigProblem(file: file, line: line, column: column, message: message))
    }

    func record(_ message: String, at mark: Mark?) {
        record(line: mark?.line ?? 0, column: mark?.column ?? 0, message)
    }

    private func recordSyntax(_ error: YamlError) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let where_ = context.map { " (\($0.text))" } ?? ""
            record("not valid YAML: \(problem)\(where_)", at: mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            record(
                "duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) in one mapping: "
                    + "keep one of them", at: context.mark)
        case .reader(let problem, _, _, _):
            record(line: 0, column: 0, "not readable as YAML text: \(problem)")
        default:
            record(line: 0, column: 0, "not valid YAML: \(error)")
        }
    }
}

extension Node.Mapping {
    fileprivate var asNode: Node { .mapping(self) }
}
