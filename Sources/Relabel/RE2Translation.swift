/// Rewrites an RE2 pattern (Go's `regexp` syntax, which Prometheus compiles relabel
/// regexes with) into Swift `Regex` syntax with the same meaning, and rejects what Go
/// rejects, with Go's error texts (`missing closing ): `(a``).
///
/// Where the two syntaxes read the same text differently, the output spells out RE2's
/// meaning:
/// - `.` is any character but `\n` (Swift also leaves out `\r`, `\u{85}`, `\u{2028}`…);
/// - `^` and `$` are the start and end of the text (`\A`, `\z`) unless `(?m)` is on;
/// - `\d`, `\s`, `\w` and the POSIX classes (`[[:alpha:]]`) are ASCII, `\s` without `\v`;
/// - `\v` is the vertical tab character (in Swift a class of vertical spaces);
/// - `\pN` (one-letter name) is `\p{N}`; `\p{Greek}` names a script or a category;
/// - `\0`, `\12`, `\123` are octal escapes, while `\1` alone is an error (Swift: a
///   back-reference);
/// - `{` that does not start a well-formed `{n}`, `{n,}` or `{n,m}` is a literal, so
///   `a{,5}` matches the text `a{,5}` (Swift: up to five `a`);
/// - inside brackets `[`, `&`, `~` and `-` are literals (Swift: set operations) and a
///   leading `]` is a literal;
/// - every literal is written as `\x{…}`, so a combining mark after a letter stays its
///   own character and nothing is read as Swift syntax.
///
/// Rejected like RE2 does: back-references, look-around, atomic groups, possessive and
/// stacked repetitions (`a**`, `a++`), repeat counts above 1000, `\C`, escapes RE2 does
/// not know (`\h`, `\e`, `\Z`), flags other than `i`, `m`, `s`, `U`.
///
/// Differences that remain: with `(?m)`, `^` and `$` also match at `\r` and other line
/// endings; Swift may accept some `\p{…}` names Go does not know; Go's limit on nested
/// repeat counts (`(a{500}){3}`) is not checked; group names starting with a digit,
/// which Go accepts, are refused; a repeated group that can match the empty string
/// (`(a*)+`) may capture an empty last repetition where RE2 keeps the last non-empty
/// one (whether the text matches is the same).
struct RE2Translation {
    struct Failure: Error {
        var message: String
    }

    private struct Flags {
        var dotMatchesNewline = false
        var multiline = false
    }

    private let pattern: [Unicode.Scalar]
    private var index = 0
    private var output = ""
    private var flags = Flags()
    /// The flags to restore at the `)` of each open group.
    private var openGroups: [Flags] = []
    /// Whether the previous item can take a repetition operator.
    private var canRepeat = false
    /// Where the previous item's repetition operator began, when the previous item was one.
    private var lastRepeat: Int?

    /// The Swift spelling of `pattern`.
    static func translate(_ pattern: String) throws(Failure) -> String {
        var translation = RE2Translation(pattern: Array(pattern.unicodeScalars))
        try translation.run()
        return translation.output
    }

    private init(pattern: [Unicode.Scalar]) {
        self.pattern = pattern
    }

    private mutating func run() throws(Failure) {
        while index < pattern.count {
            let start = index
            var repeatStart: Int?
            switch pattern[index] {
            case "(":
                if peek(1) == "?" {
                    try perlGroup()
                } else {
                    openGroups.append(flags)
                    output += "("
                    index += 1
                    canRepeat = false
                }
            case "|":
                output += "|"
                index += 1
                canRepeat = false
            case ")":
                guard let restored = openGroups.popLast() else { throw failure("unexpected )", 0..<pattern.count) }
                flags = restored
                output += ")"
                index += 1
                canRepeat = true
            case "^":
                output += flags.multiline ? "^" : "\\A"
                index += 1
                canRepeat = true
            case "$":
                output += flags.multiline ? "$" : "\\z"
                index += 1
                canRepeat = true
            case ".":
                output += flags.dotMatchesNewline ? "(?s:.)" : "[^\\n]"
                index += 1
                canRepeat = true
            case "[":
                try characterClass()
                canRepeat = true
            case "*", "+", "?":
                try repetition(operatorEnd: index + 1)
                repeatStart = start
            case "{":
                if let (minimum, maximum, end) = repeatCounts(at: index) {
                    if minimum < 0 || minimum > 1000 || maximum > 1000 || (maximum >= 0 && minimum > maximum) {
                        throw failure("invalid repeat count", start..<end)
                    }
                    try repetition(operatorEnd: end)
                    repeatStart = start
                } else {
                    appendLiteral("{")
                    index += 1
                    canRepeat = true
                }
            case "\\":
                try escape()
            default:
                appendLiteral(pattern[index])
                index += 1
                canRepeat = true
            }
            lastRepeat = repeatStart
        }
        if !openGroups.isEmpty { throw failure("missing closing )", 0..<pattern.count) }
    }

    // MARK: Groups and repetition

    /// `(?P<name>`, `(?<name>`, `(?flags)`, `(?flags:`.
    private mutating func perlGroup() throws(Failure) {
        let start = index
        let named =
            (peek(2) == "P" && peek(3) == "<" && pattern.count - start > 4)
            || (peek(2) == "<" && pattern.count - start > 3)
        if named {
            let nameStart = start + (peek(2) == "P" ? 4 : 3)
            guard let close = pattern[start...].firstIndex(of: ">") else {
                throw failure("invalid named capture", start..<pattern.count)
            }
            let name = pattern[nameStart..<close]
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && LabelNameSyntax.isWordCharacter(UInt8($0.value)) })
            else {
                throw failure("invalid named capture", start..<(close + 1))
            }
            openGroups.append(flags)
            output += "(?<" + String(String.UnicodeScalarView(name)) + ">"
            index = close + 1
            canRepeat = false
            return
        }
        var position = start + 2
        var changed = flags
        var negated = false
        var sawFlag = false
        scan: while position < pattern.count {
            let scalar = pattern[position]
            position += 1
            switch scalar {
            case "i", "U":
                sawFlag = true
            case "m":
                changed.multiline = !negated
                sawFlag = true
            case "s":
                changed.dotMatchesNewline = !negated
                sawFlag = true
            case "-":
                if negated { break scan }
                negated = true
                sawFlag = false
            case ":", ")":
                if negated && !sawFlag { break scan }
                let flagText = String(String.UnicodeScalarView(pattern[(start + 2)..<(position - 1)]))
                if scalar == ":" {
                    openGroups.append(flags)
                    output += "(?" + flagText + ":"
                    canRepeat = false
                } else if !flagText.isEmpty {
                    output += "(?" + flagText + ")"
                }
                flags = changed
                index = position
                return
            default:
                break scan
            }
        }
        throw failure("invalid or unsupported Perl syntax", start..<position)
    }

    /// A repetition operator from `index` to `operatorEnd`, with an optional lazy `?`.
    private mutating func repetition(operatorEnd: Int) throws(Failure) {
        var end = operatorEnd
        if peekAbsolute(end) == "?" { end += 1 }
        if let lastRepeat { throw failure("invalid nested repetition operator", lastRepeat..<end) }
        guard canRepeat else { throw failure("missing argument to repetition operator", index..<end) }
        output += String(String.UnicodeScalarView(pattern[index..<end]))
        index = end
    }

    /// `{n}`, `{n,}` or `{n,m}` at `start`: the counts (-1 for no maximum, a minimum of
    /// -1 for a number too large) and the end, or nil when the text is not of that form.
    private func repeatCounts(at start: Int) -> (Int, Int, Int)? {
        var position = start + 1
        guard let minimum = integer(&position) else { return nil }
        guard position < pattern.count else { return nil }
        var maximum = minimum
        var lower = minimum
        if pattern[position] == "," {
            position += 1
            guard position < pattern.count else { return nil }
            if pattern[position] == "}" {
                maximum = -1
            } else {
                guard let parsed = integer(&position) else { return nil }
                maximum = parsed
                if parsed < 0 { lower = -1 }
            }
        }
        guard position < pattern.count, pattern[position] == "}" else { return nil }
        return (lower, maximum, position + 1)
    }

    /// A decimal number without a leading zero; -1 when it reaches 10^8 (Go's overflow guard).
    private func integer(_ position: inout Int) -> Int? {
        guard let first = peekAbsolute(position), isDigit(first) else { return nil }
        if first == "0", let second = peekAbsolute(position + 1), isDigit(second) { return nil }
        var value = 0
        while let scalar = peekAbsolute(position), isDigit(scalar) {
            if value >= 0 { value = value >= 100_000_000 ? -1 : value * 10 + Int(scalar.value - 48) }
            position += 1
        }
        return value
    }

    // MARK: Escapes

    private mutating func escape() throws(Failure) {
        guard let next = peek(1) else { throw Failure(message: "trailing backslash at end of expression: ``") }
        switch next {
        case "A", "z", "b", "B":
            output += "\\" + String(Character(next))
            index += 2
            canRepeat = true
        case "C":
            throw failure("invalid escape sequence", index..<(index + 2))
        case "Q":
            var position = index + 2
            while position < pattern.count {
                if pattern[position] == "\\" && peekAbsolute(position + 1) == "E" { break }
                appendLiteral(pattern[position])
                canRepeat = true
                position += 1
            }
            index = min(position + 2, pattern.count)
        case "p", "P":
            output += try unicodeClass()
            canRepeat = true
        case "d", "D", "s", "S", "w", "W":
            output += Self.perlClass(next)
            index += 2
            canRepeat = true
        default:
            appendLiteral(try escapedScalar())
            canRepeat = true
        }
    }

    /// A one-character escape at `index` (Go's `parseEscape`): escaped punctuation,
    /// octal, `\x`, and the C escapes.
    private mutating func escapedScalar() throws(Failure) -> Unicode.Scalar {
        let start = index
        guard let first = peek(1) else { throw Failure(message: "trailing backslash at end of expression: ``") }
        index += 2
        if first.isASCII && !isAlphanumeric(first) { return first }
        switch first {
        case "0"..."7":
            if first != "0" {
                guard let following = peek(0), isOctal(following) else {
                    throw failure("invalid escape sequence", start..<index)
                }
            }
            var value = first.value - 48
            for _ in 1..<3 {
                guard let digit = peek(0), isOctal(digit) else { break }
                value = value * 8 + digit.value - 48
                index += 1
            }
            return Unicode.Scalar(value)!
        case "x":
            guard let opening = peek(0) else { throw failure("invalid escape sequence", start..<index) }
            index += 1
            if opening == "{" {
                var value: UInt32 = 0
                var digits = 0
                while true {
                    guard let digit = peek(0) else { throw failure("invalid escape sequence", start..<index) }
                    index += 1
                    if digit == "}" { break }
                    guard let nibble = hexValue(digit) else { throw failure("invalid escape sequence", start..<index) }
                    value = value * 16 + nibble
                    guard value <= 0x10FFFF else { throw failure("invalid escape sequence", start..<index) }
                    digits += 1
                }
                guard digits > 0, let scalar = Unicode.Scalar(value) else {
                    throw failure("invalid escape sequence", start..<index)
                }
                return scalar
            }
            guard let second = peek(0) else { throw failure("invalid escape sequence", start..<index) }
            index += 1
            guard let high = hexValue(opening), let low = hexValue(second) else {
                throw failure("invalid escape sequence", start..<index)
            }
            return Unicode.Scalar(high * 16 + low)!
        case "a": return "\u{07}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{0B}"
        default: throw failure("invalid escape sequence", start..<index)
        }
    }

    /// `\pN`, `\p{Name}`, `\p{^Name}`, `\PN`, `\P{Name}` at `index`.
    private mutating func unicodeClass() throws(Failure) -> String {
        let start = index
        var negated = pattern[index + 1] == "P"
        guard let first = peek(2) else { throw failure("invalid character class range", start..<(start + 2)) }
        var name: String
        if first == "{" {
            guard let close = pattern[(start + 3)...].firstIndex(of: "}") else {
                throw failure("invalid character class range", start..<pattern.count)
            }
            name = String(String.UnicodeScalarView(pattern[(start + 3)..<close]))
            index = close + 1
        } else {
            name = String(Character(first))
            index = start + 3
        }
        if name.hasPrefix("^") {
            negated.toggle()
            name.removeFirst()
        }
        let valid = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && (isAlphanumeric($0) || $0 == "_") }
        guard valid else { throw failure("invalid character class range", start..<index) }
        let property = Self.generalCategories.contains(name) || name == "Any" ? name : "sc=" + name
        return (negated ? "\\P{" : "\\p{") + property + "}"
    }

    private static let generalCategories: Set<String> = [
        "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
    ]

    /// `\d`, `\s`, `\w` and their negations, ASCII as in RE2.
    private static func perlClass(_ letter: Unicode.Scalar) -> String {
        let members: String
        switch letter {
        case "d", "D": members = "0-9"
        case "s", "S": members = "\\x{9}\\x{A}\\x{C}\\x{D}\\x{20}"
        default: members = "0-9A-Za-z_"
        }
        let negated = letter == "D" || letter == "S" || letter == "W"
        return (negated ? "[^" : "[") + members + "]"
    }

    /// The POSIX classes RE2 knows, ASCII only, as bracket contents.
    private static let posixClasses: [String: String] = [
        "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x{0}-\\x{7F}", "blank": "\\x{9}\\x{20}",
        "cntrl": "\\x{0}-\\x{1F}\\x{7F}", "digit": "0-9", "graph": "\\x{21}-\\x{7E}", "lower": "a-z",
        "print": "\\x{20}-\\x{7E}", "punct": "\\x{21}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{60}\\x{7B}-\\x{7E}",
        "space": "\\x{9}-\\x{D}\\x{20}", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
    ]

    // MARK: Bracket expressions

    private mutating func characterClass() throws(Failure) {
        let start = index
        var result = "["
        index += 1
        if peek(0) == "^" {
            result += "^"
            index += 1
        }
        var first = true
        while true {
            guard let scalar = peek(0) else { throw failure("missing closing ]", start..<pattern.count) }
            if scalar == "]" && !first { break }
            first = false
            if scalar == "[", peek(1) == ":", let close = closingPOSIX(from: index + 2) {
                var name = String(String.UnicodeScalarView(pattern[(index + 2)..<close]))
                let negated = name.hasPrefix("^")
                if negated { name.removeFirst() }
                guard let members = Self.posixClasses[name] else {
                    throw failure("invalid character class range", index..<(close + 2))
                }
                result += (negated ? "[^" : "[") + members + "]"
                index = close + 2
                continue
            }
            if scalar == "\\", let next = peek(1) {
                if next == "p" || next == "P" {
                    result += try unicodeClass()
                    continue
                }
                if "dDsSwW".unicodeScalars.contains(next) {
                    result += Self.perlClass(next)
                    index += 2
                    continue
                }
            }
            let rangeStart = index
            let low = try classCharacter(classStart: start)
            var high = low
            if peek(0) == "-", let after = peek(1), after != "]" {
                index += 1
                high = try classCharacter(classStart: start)
                if high.value < low.value { throw failure("invalid character class range", rangeStart..<index) }
            }
            result += Self.hex(low)
            if high != low { result += "-" + Self.hex(high) }
        }
        index += 1
        output += result + "]"
    }

    /// The `:]` closing a `[:name:]` whose name starts at `start`.
    private func closingPOSIX(from start: Int) -> Int? {
        var position = start
        while position + 1 < pattern.count {
            if pattern[position] == ":" && pattern[position + 1] == "]" { return position }
            position += 1
        }
        return nil
    }

    private mutating func classCharacter(classStart: Int) throws(Failure) -> Unicode.Scalar {
        guard let scalar = peek(0) else { throw failure("missing closing ]", classStart..<pattern.count) }
        if scalar == "\\" {
            guard peek(1) != nil else { throw failure("missing closing ]", classStart..<pattern.count) }
            return try escapedScalar()
        }
        index += 1
        return scalar
    }

    // MARK: Helpers

    private mutating func appendLiteral(_ scalar: Unicode.Scalar) {
        if scalar.isASCII && (isAlphanumeric(scalar) || scalar == "_") {
            output.unicodeScalars.append(scalar)
        } else {
            output += Self.hex(scalar)
        }
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        "\\x{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        peekAbsolute(index + offset)
    }

    private func peekAbsolute(_ position: Int) -> Unicode.Scalar? {
        position < pattern.count ? pattern[position] : nil
    }

    private func failure(_ code: String, _ range: Range<Int>) -> Failure {
        let upper = min(range.upperBound, pattern.count)
        let text = String(String.UnicodeScalarView(pattern[min(range.lowerBound, upper)..<upper]))
        return Failure(message: "\(code): `\(text)`")
    }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
    private func isOctal(_ scalar: Unicode.Scalar) -> Bool { ("0"..."7").contains(scalar) }
    private func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
    private func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 48
        case "a"..."f": scalar.value - 87
        case "A"..."F": scalar.value - 55
        default: nil
        }
    }
}
