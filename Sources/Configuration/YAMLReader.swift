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

    /// The text parsed, for placing problems at its end.
    private var text = ""

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
            reader.record(line: 0, column: 0, "cannot read the file: \(readFailure(error))")
            return (reader, nil)
        }
        return (reader, reader.parse(text))
    }

    /// Why a file could not be read, as the system says it ("No such file or directory",
    /// "Permission denied", "Is a directory"), rather than Foundation's wrapping of it.
    private static func readFailure(_ error: any Error) -> String {
        let error = error as NSError
        if let posix = error.userInfo[NSUnderlyingErrorKey] as? POSIXError {
            return String(cString: strerror(posix.code.rawValue))
        }
        let notText = [CocoaError.fileReadCorruptFile, .fileReadInapplicableStringEncoding].map(\.rawValue)
        if error.domain == NSCocoaErrorDomain && notText.contains(error.code) {
            return "it is not UTF-8 text"
        }
        return error.localizedFailureReason ?? error.localizedDescription
    }

    /// Parses YAML text; nil (with a problem recorded) when it is not YAML.
    public func parse(_ text: String) -> YAMLValue? {
        self.text = text
        do {
            guard let node = try Yams.compose(yaml: text) else {
                return YAMLValue(node: Node.Mapping([]).asNode, path: "", reader: self)
            }
            return YAMLValue(node: node, path: "", reader: self)
        } catch let error as YamlError {
            recordSyntax(error, in: text)
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

    /// A problem at a node's mark, moved back inside the file when libyaml marks the line
    /// after the last (an empty document, a value missing at the end of the file).
    func record(_ message: String, at mark: Mark?) {
        guard let mark else { return record(line: 0, column: 0, message) }
        let (line, column) = Self.position(of: mark, in: text)
        record(line: line, column: column, message)
    }

    private func recordSyntax(_ error: YamlError, in text: String) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "not valid YAML: \(problem)"
            if let context {
                // libyaml's context ("while scanning a quoted scalar") marks where that began.
                let began = context.mark.line != mark.line || context.mark.column != mark.column
                let start = began ? " at \(context.mark.line):\(context.mark.column)" : ""
                message += " (\(context.text)\(start))"
            }
            if Self.character(at: mark, in: text) == "\t" { message += ": indent with spaces, not tabs" }
            let (line, column) = Self.position(of: mark, in: text)
            record(line: line, column: column, message)
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

extension YAMLReader {
    /// Where `mark` is, as a place in the file: libyaml marks the end of a file whose last
    /// line has no newline as the start of the line after it, a line the file does not
    /// have; that is the end of the last line, as for other problems at the end.
    fileprivate static func position(of mark: Mark, in text: String) -> (line: Int, column: Int) {
        // Lines as YAML counts them: broken by LF, CR, CR LF, NEL, LS and PS.
        var lines = 1
        var lastLineLength = 0
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where previous == "\r": break
            case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}":
                lines += 1
                lastLineLength = 0
            default: lastLineLength += 1
            }
            previous = scalar
        }
        guard mark.line > lines else { return (mark.line, mark.column) }
        return (lines, lastLineLength + 1)
    }

    /// The character at a 1-based line and column (counted in Unicode scalars, as libyaml does).
    fileprivate static func character(at mark: Mark, in text: String) -> Unicode.Scalar? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count, mark.column >= 1 else { return nil }
        return lines[mark.line - 1].unicodeScalars.dropFirst(mark.column - 1).first
    }
}

extension Node.Mapping {
    fileprivate var asNode: Node { .mapping(self) }
}
