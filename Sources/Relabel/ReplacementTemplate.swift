/// A `replacement` or `target_label` template, read the way Go's `regexp.Expand` reads
/// it (Prometheus expands both with it):
///
/// - `$$` is a literal `$`;
/// - `$name` and `${name}` take the group named `name`; `$1` and `${1}` take group 1;
/// - in the unbraced form the name is as long as possible: `$1x` is the group named
///   `1x`, not group 1 followed by `x` (write `${1}x` for that), and `$10` is group 10;
/// - a name is letters, digits and `_` (Unicode letters and digits count); a number
///   with a leading zero (`$01`) or of more than nine digits is a name;
/// - a reference to a group that does not exist or took no part in the match expands to
///   nothing;
/// - a `$` not followed by a name or a well-formed `{name}` is kept as a literal `$`.
///
/// Parsed once when the rule is compiled; expanding only concatenates.
struct ReplacementTemplate: Sendable {
    enum Piece: Sendable, Equatable {
        case text(String)
        case number(Int)
        case name(String)
    }

    let pieces: [Piece]
    /// The template's text when it has no references (the expansion never changes).
    let constant: String?

    init(_ template: String) {
        var pieces: [Piece] = []
        var text = ""
        let scalars = Array(template.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            guard scalar == "$" else {
                text.unicodeScalars.append(scalar)
                continue
            }
            if index < scalars.count && scalars[index] == "$" {
                text.append("$")
                index += 1
                continue
            }
            guard let (reference, end) = Self.reference(in: scalars, at: index) else {
                text.append("$")
                continue
            }
            if !text.isEmpty {
                pieces.append(.text(text))
                text = ""
            }
            pieces.append(reference)
            index = end
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
        if pieces.isEmpty {
            constant = ""
        } else if pieces.count == 1, case .text(let only) = pieces[0] {
            constant = only
        } else {
            constant = nil
        }
    }

    /// The reference after a `$` at `start` (Go's `extract`), and where the rest begins.
    private static func reference(in scalars: [Unicode.Scalar], at start: Int) -> (Piece, Int)? {
        var index = start
        let braced = index < scalars.count && scalars[index] == "{"
        if braced { index += 1 }
        let nameStart = index
        while index < scalars.count && isNameCharacter(scalars[index]) { index += 1 }
        guard index > nameStart else { return nil }
        let nameScalars = scalars[nameStart..<index]
        if braced {
            guard index < scalars.count && scalars[index] == "}" else { return nil }
            index += 1
        }
        var name = ""
        name.unicodeScalars.append(contentsOf: nameScalars)
        return (number(name).map(Piece.number) ?? .name(name), index)
    }

    /// A group number as Go reads it: ASCII digits only, no leading zero, and the
    /// running value checked against 10^8 before each further digit.
    private static func number(_ name: String) -> Int? {
        var value = 0
        for byte in name.utf8 {
            guard LabelNameSyntax.isDigit(byte), value < 100_000_000 else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        if name.utf8.count > 1 && name.utf8.first == UInt8(ascii: "0") { return nil }
        return value
    }

    /// Go's `unicode.IsLetter || unicode.IsDigit || '_'`.
    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            return true
        default:
            return false
        }
    }

    /// Whether expanding needs the match's groups.
    var needsGroups: Bool { constant == nil }

    func expand(_ match: RegexMatch) -> String {
        if let constant { return constant }
        var result = ""
        for piece in pieces {
            switch piece {
            case .text(let text): result += text
            case .number(let number): if let group = match.group(number) { result += group }
            case .name(let name): if let group = match.group(named: name) { result += group }
            }
        }
        return result
    }
}
