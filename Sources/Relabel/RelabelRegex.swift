/// A rule's regex, anchored at both ends as Prometheus anchors it (`^(?:REGEX)$`).
///
/// Prometheus compiles the pattern with Go's RE2 engine; here it is translated by
/// ``RE2Translation`` (which lists the remaining differences) and matched with Swift's
/// `Regex` on Unicode scalars, as RE2 matches on code points. Swift's `Regex` rather than
/// `NSRegularExpression` because it reads more of RE2's syntax as RE2 does (`(?P<name>…)`,
/// `(?U)`), needs no Foundation, and was as fast in a measurement on this code.
///
/// The shapes most rules use are matched without the engine, with the same results:
/// alternatives of plain text, each maybe followed by `.*` or `.+` (`a|b`, `go_.*|up`,
/// `(a|b)`, `.*`, `(.*)`), and plain text followed by a group (`foo_(.+)`), where `.`
/// is any character but `\n`.
struct RelabelRegex: Sendable {
    private enum Shape: Sendable {
        /// Alternatives, each an ASCII text alone or followed by `.*`/`.+`; with
        /// `captureWhole` (the pattern is one group around them) group 1 is the whole text.
        case alternatives([Alternative], captureWhole: Bool)
        /// `foo(.*)`, `foo(.+)`: the prefix, then group 1.
        case prefixGroup(String, nonEmpty: Bool)
        /// With `search`, the anchored form found by a leftmost search; otherwise a whole match.
        case engine(SharedRegex, search: Bool)
    }

    /// One alternative of a simple pattern: `text`, `text.*` or `text.+`.
    private struct Alternative: Sendable {
        var text: String
        /// Whether characters other than `\n` may follow, and whether at least one must.
        var tail: Tail

        enum Tail: Sendable {
            case none
            case any
            case some
        }

        func matches(_ subject: String) -> Bool {
            switch tail {
            case .none: return Bytes.equal(text, subject)
            case .any: return RelabelRegex.restStart(subject, prefix: text, nonEmpty: false) != nil
            case .some: return RelabelRegex.restStart(subject, prefix: text, nonEmpty: true) != nil
            }
        }
    }

    /// The pattern as written in the rule.
    let pattern: String
    private let shape: Shape

    /// Compiles `pattern`; the error message is what Go says about the anchored pattern
    /// Prometheus compiles (`missing closing ): `^(?:a()$``), or what Swift says.
    init(_ pattern: String, useEngine: Bool = false) throws(RE2Translation.Failure) {
        self.pattern = pattern
        // Prometheus compiles "^(?:" + pattern + ")$": what that refuses is refused (an
        // unclosed \Q swallows the ")$"), and a pattern that closes the group early
        // ("a)|(b") means what it means there, found by a leftmost search like Go's.
        let anchored = try RE2Translation.translate("^(?:" + pattern + ")$")
        if !useEngine, let simple = Self.simpleShape(pattern) {
            shape = simple
            return
        }
        let standalone = try? RE2Translation.translate(pattern)
        do {
            let regex = try Regex(standalone ?? anchored).matchingSemantics(.unicodeScalar).asciiOnlyWordCharacters()
                .wordBoundaryKind(.simple)
            shape = .engine(SharedRegex(regex), search: standalone == nil)
        } catch {
            throw RE2Translation.Failure(message: "\(error)")
        }
    }

    /// Whether the pattern is matched without the regex engine.
    var isSimple: Bool {
        if case .engine = shape { return false }
        return true
    }

    /// Whether the whole of `text` matches.
    func matches(_ text: String) -> Bool {
        switch shape {
        case .alternatives(let alternatives, _):
            return alternatives.contains { $0.matches(text) }
        case .prefixGroup(let prefix, let nonEmpty):
            return Self.restStart(text, prefix: prefix, nonEmpty: nonEmpty) != nil
        case .engine(let regex, let search):
            return (search ? try? regex.regex.firstMatch(in: text) : try? regex.regex.wholeMatch(in: text)) != nil
        }
    }

    /// The groups of a whole match of `text`, nil when it does not match.
    func match(_ text: String) -> RegexMatch? {
        let whole = text.startIndex..<text.endIndex
        switch shape {
        case .alternatives(let alternatives, let captureWhole):
            guard alternatives.contains(where: { $0.matches(text) }) else { return nil }
            return captureWhole
                ? RegexMatch(subject: text, groups: [whole, whole], names: [nil, nil])
                : RegexMatch(subject: text, groups: [whole], names: [nil])
        case .prefixGroup(let prefix, let nonEmpty):
            guard let rest = Self.restStart(text, prefix: prefix, nonEmpty: nonEmpty) else { return nil }
            return RegexMatch(subject: text, groups: [whole, rest..<text.endIndex], names: [nil, nil])
        case .engine(let regex, let search):
            guard let found = search ? try? regex.regex.firstMatch(in: text) : try? regex.regex.wholeMatch(in: text)
            else { return nil }
            let output = found.output
            return RegexMatch(subject: text, groups: output.map(\.range), names: output.map(\.name))
        }
    }

    /// Where the part after `prefix` starts, if `text` starts with it and the rest has no `\n`.
    fileprivate static func restStart(_ text: String, prefix: String, nonEmpty: Bool) -> String.Index? {
        let bytes = text.utf8
        guard bytes.starts(with: prefix.utf8) else { return nil }
        let start = bytes.index(bytes.startIndex, offsetBy: prefix.utf8.count)
        if nonEmpty && start == bytes.endIndex { return nil }
        guard !bytes[start...].contains(UInt8(ascii: "\n")) else { return nil }
        return start
    }

    /// The shape of a pattern made of plain ASCII text, `|`, `.*`/`.+` at the end of an
    /// alternative and one group around everything (or around a trailing `.*`/`.+`
    /// after plain text), or nil for anything else.
    private static func simpleShape(_ pattern: String) -> Shape? {
        var body = Substring(pattern)
        if !body.hasPrefix("(") {
            for (tail, nonEmpty) in [("(.*)", false), ("(.+)", true)] where body.hasSuffix(tail) {
                let prefix = body.dropLast(4)
                if isPlain(prefix) { return .prefixGroup(String(prefix), nonEmpty: nonEmpty) }
            }
        }
        var captureWhole = false
        if body.hasPrefix("(") && body.hasSuffix(")") && body.count >= 2 {
            body = body.dropFirst().dropLast()
            captureWhole = true
        }
        var alternatives: [Alternative] = []
        for piece in body.split(separator: "|", omittingEmptySubsequences: false) {
            var text = piece
            var tail = Alternative.Tail.none
            if piece.hasSuffix(".*") || piece.hasSuffix(".+") {
                tail = piece.hasSuffix(".*") ? .any : .some
                text = piece.dropLast(2)
            }
            guard isPlain(text) else { return nil }
            alternatives.append(Alternative(text: String(text), tail: tail))
        }
        return .alternatives(alternatives, captureWhole: captureWhole)
    }

    /// ASCII text with no character that means something in RE2 syntax.
    private static func isPlain(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { byte in
            LabelNameSyntax.isWordCharacter(byte) || plainPunctuation.contains(byte)
        }
    }

    private static let plainPunctuation: Set<UInt8> = Set(" !\"#%&',-/:;<=>@_`~".utf8)
}
