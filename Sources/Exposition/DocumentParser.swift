#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads one document, line by line, straight from its bytes (pinned by the caller for
/// the whole parse), checking every rule of its format and collecting the model
/// families. Metadata lines and the family bookkeeping are here; sample lines and
/// label sets are in `DocumentParser+Samples.swift`, the checks of histogram, summary and
/// OpenMetrics values in `DocumentParser+Values.swift`.
struct DocumentParser {
    /// A label section in the input and its label set id.
    struct Section {
        var start: Int
        var count: Int
        var id: Int32
    }

    enum MetadataKind: String {
        case help = "HELP"
        case type = "TYPE"
        case unit = "UNIT"
    }

    let bytes: UnsafePointer<UInt8>
    let end: Int
    let source: String
    let openMetrics: Bool
    var index = 0
    var line = 1

    /// Every family met, in the order of first appearance. The slot of the one being read
    /// holds a placeholder; the family itself is `family`, so the hot path mutates it in
    /// place.
    var allFamilies: [OpenFamily] = []
    /// Family name (as the document writes it) → its index in `allFamilies`.
    var familyPositions: [String: Int] = [:]
    /// The family being read; meaningful only while `hasFamily`.
    var family = OpenFamily.placeholder
    var hasFamily = false
    /// Sample name → the document name of the family that uses it.
    var sampleOwners: [String: (family: String, line: Int)] = [:]
    /// Raw label section text (`{…}`) → label set id, so a repeated section is decoded once.
    var labelSetsByText: [ByteKey: Int32] = [:]
    /// Label sets first written in another form than the canonical one (another order,
    /// blanks, a trailing comma), by their canonical text; together with `labelSetsByText`
    /// this gives two spellings of one label set the same id.
    var labelSetsByCanonicalText: [[UInt8]: Int32] = [:]
    /// Reused buffer for the canonical text of a label set.
    var canonicalText: [UInt8] = []
    var labelSets: [Labels] = [Labels.empty]
    /// The label section of each sample position in the most recent family that reached
    /// it: families list the same objects in the same order, so the section at position
    /// `i` is usually byte-for-byte the one before, found with one `memcmp`.
    var sectionsByPosition: [Section] = []
    /// Duplicate-series check: for label set id `i` and sample name `n`, slot `4 i + n`
    /// holds `generation << 32 | line` of the sample last seen. A generation is a family
    /// in the text format (a new one each time the family is continued), an OpenMetrics
    /// MetricPoint in OpenMetrics (where one series may have several, with increasing
    /// timestamps).
    var seriesStamps: [UInt64] = [0, 0, 0, 0]
    var generation: UInt64 = 0
    var timestampedSamples = 0
    var eofLine: Int?
    var warnings: [ExpositionWarning] = []
    /// Reused buffer for unescaping.
    var scratch: [UInt8] = []

    init(bytes: UnsafePointer<UInt8>, count: Int, source: String, openMetrics: Bool) {
        self.bytes = bytes
        self.end = count
        self.source = source
        self.openMetrics = openMetrics
    }

    mutating func parse() throws(ExpositionParseError) -> ParsedExposition {
        while index < end {
            if let eofLine {
                throw failure("content after '# EOF' (line \(eofLine)): '# EOF' must be the last line")
            }
            let byte = bytes[index]
            if openMetrics {
                switch byte {
                case UInt8(ascii: "#"): try readOpenMetricsComment()
                case UInt8(ascii: "\n"): throw failure("empty line: OpenMetrics does not allow blank lines")
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    throw failure("the line starts with whitespace: OpenMetrics lines start with a metric name or '#'")
                default: try readSample()
                }
            } else {
                skipBlanksInText()
                guard index < end else { break }
                switch bytes[index] {
                case UInt8(ascii: "\n"):
                    index += 1
                    line += 1
                case UInt8(ascii: "#"): try readTextComment()
                default: try readSample()
                }
            }
        }
        if openMetrics && eofLine == nil {
            throw failure("missing '# EOF': an OpenMetrics document must end with the line '# EOF'")
        }
        try endFamily()
        return ParsedExposition(
            families: allFamilies.map { $0.finished() }, format: openMetrics ? .openMetrics : .prometheus,
            timestampedSamples: timestampedSamples, locations: allFamilies.map { $0.location() }, warnings: warnings)
    }

    // MARK: Comments and metadata

    /// A text-format line starting with `#`, read as Prometheus reads it: `# HELP` and
    /// `# TYPE` with a name and something after it are metadata; any other comment,
    /// including a bare `# HELP`, `# TYPE`, `# HELP name` or `# TYPE name`, is ignored.
    private mutating func readTextComment() throws(ExpositionParseError) {
        index += 1
        skipBlanksInText()
        let wordStart = index
        while index < end && !isBlank(bytes[index]) && bytes[index] != UInt8(ascii: "\n") { index += 1 }
        let kind: MetadataKind? =
            switch text(wordStart, index - wordStart) {
            case "HELP": .help
            case "TYPE": .type
            default: nil
            }
        guard let kind else {
            skipComment()
            return
        }
        skipBlanksInText()
        if index == end || bytes[index] == UInt8(ascii: "\n") {
            try endLine()
            return
        }
        let name = try readMetadataName(kind)
        if index < end && !isBlank(bytes[index]) && bytes[index] != UInt8(ascii: "\n") {
            throw invalidNameCharacter(name, what: "metric name")
        }
        skipBlanksInText()
        if index == end || bytes[index] == UInt8(ascii: "\n") {
            try endLine()
            return
        }
        switch kind {
        case .help:
            let help = try readHelpText(name)
            try declare(.help, name: name, value: help)
        case .type:
            let wordStart = index
            while index < end && !isBlank(bytes[index]) && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            let word = text(wordStart, index - wordStart)
            skipBlanksInText()
            if word.utf8.last == UInt8(ascii: "\r") { throw carriageReturn() }
            guard let kind = FamilyKind.text(word) else {
                let hint =
                    FamilyKind.openMetrics(word) != nil ? " (\"\(word)\" is OpenMetrics, which ends with '# EOF')" : ""
                throw failure("unknown type \"\(word)\" for \"\(name)\": expected \(FamilyKind.textTypeList)\(hint)")
            }
            try expectEndOfLine(after: "the type of \"\(name)\"")
            try declare(.type, name: name, kind: kind)
        case .unit:
            break
        }
        try endLine()
    }

    private mutating func readOpenMetricsComment() throws(ExpositionParseError) {
        guard index + 1 < end && bytes[index + 1] == UInt8(ascii: " ") else {
            throw failure("'#' must be followed by a space and HELP, TYPE, UNIT or EOF")
        }
        index += 2
        let wordStart = index
        while index < end && bytes[index] != UInt8(ascii: " ") && bytes[index] != UInt8(ascii: "\n") { index += 1 }
        let word = text(wordStart, index - wordStart)
        let kind: MetadataKind
        switch word {
        case "HELP": kind = .help
        case "TYPE": kind = .type
        case "UNIT": kind = .unit
        case "EOF":
            guard index == end || bytes[index] == UInt8(ascii: "\n") else {
                throw failure("unexpected text after '# EOF': the last line is exactly '# EOF'")
            }
            eofLine = line
            if index < end {
                index += 1
                line += 1
            }
            return
        default:
            throw failure(
                "unknown comment '# \(word)': OpenMetrics allows only '# HELP', '# TYPE', '# UNIT' and '# EOF'")
        }
        guard index < end && bytes[index] == UInt8(ascii: " ") else {
            throw failure(
                "'# \(kind.rawValue)' needs a metric name: expected '# \(kind.rawValue) <name> \(kind.argument)'")
        }
        index += 1
        let name = try readMetadataName(kind)
        guard index < end && bytes[index] == UInt8(ascii: " ") else {
            if index < end && bytes[index] != UInt8(ascii: "\n") {
                throw invalidNameCharacter(name, what: "metric name")
            }
            throw failure(
                "'# \(kind.rawValue) \(name)' needs a space and \(kind.argument) after the name "
                    + "(\(kind == .type ? "" : "possibly empty, ")OpenMetrics requires the space)")
        }
        index += 1
        switch kind {
        case .help:
            try declare(.help, name: name, value: try readHelpText(name))
        case .type:
            let wordStart = index
            while index < end && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            let word = text(wordStart, index - wordStart)
            if word.utf8.last == UInt8(ascii: "\r") { throw carriageReturn() }
            guard let kind = FamilyKind.openMetrics(word) else {
                let hint = word == "untyped" ? " (\"untyped\" is the text format's name for \"unknown\")" : ""
                throw failure(
                    "unknown type \"\(word)\" for \"\(name)\": expected \(FamilyKind.openMetricsTypeList)\(hint)")
            }
            try declare(.type, name: name, kind: kind)
        case .unit:
            let unitStart = index
            while index < end && isMetricNameByte(bytes[index]) { index += 1 }
            let unit = text(unitStart, index - unitStart)
            if index < end && bytes[index] != UInt8(ascii: "\n") {
                throw failure(
                    "invalid character \(describe(index)) in the unit of \"\(name)\": "
                        + "a unit is made of letters, digits, '_' and ':'")
            }
            if !unit.isEmpty && !name.hasSuffix("_" + unit) {
                throw failure(
                    "the unit \"\(unit)\" does not match \"\(name)\": a family with a unit "
                        + "ends its name with it (\"\(name)_\(unit)\")")
            }
            try declare(.unit, name: name, value: unit)
        }
        try endLine()
    }

    /// Skips a text-format comment line. Its bytes are not checked: Prometheus ignores
    /// comments, UTF-8 or not, and so does the Pushgateway.
    private mutating func skipComment() {
        if let found = memchr(bytes + index, Int32(UInt8(ascii: "\n")), end - index) {
            index = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - bytes + 1
            line += 1
        } else {
            index = end
        }
    }

    private mutating func readMetadataName(_ kind: MetadataKind) throws(ExpositionParseError) -> String {
        let start = index
        let count = scanMetricName()
        guard count > 0 else {
            throw failure(
                "invalid metric name in '# \(kind.rawValue)': expected a letter, '_' or ':' to start it, "
                    + "found \(describe(index))")
        }
        return text(start, count)
    }

    /// Reads the rest of the line as help text, undoing its escapes: `\\` and `\n`, and
    /// in OpenMetrics also `\"` (where a bare `"` is not allowed) and a backslash before any
    /// other character, which stands for itself (`\a` is `\\a`). Text-format help that is
    /// not UTF-8 is sent with U+FFFD in place of the bad bytes, as the Pushgateway stores
    /// it, and warned about.
    private mutating func readHelpText(_ name: String) throws(ExpositionParseError) -> String {
        let start = index
        var escaped = false
        while index < end && bytes[index] != UInt8(ascii: "\n") {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                escaped = true
                let next = index + 1 < end ? bytes[index + 1] : UInt8(ascii: "\n")
                let allowed =
                    openMetrics
                    ? next != UInt8(ascii: "\n")
                    : next == UInt8(ascii: "\\") || next == UInt8(ascii: "n")
                guard allowed else {
                    let escapes = openMetrics ? "a backslash before a character other than a newline" : "\\\\ and \\n"
                    throw failure(
                        "invalid escape \(describeEscape(index)) in the help text of \"\(name)\": "
                            + "only \(escapes) are allowed there")
                }
                index += 2
                continue
            }
            if openMetrics && byte == UInt8(ascii: "\"") {
                throw failure("unescaped '\"' in the help text of \"\(name)\": OpenMetrics writes it as \\\"")
            }
            index += 1
        }
        let count = index - start
        if openMetrics {
            try checkUTF8(start, count, what: "the help text of \"\(name)\"")
        } else if !UTF8Check.isASCII(bytes + start, count: count),
            let bad = UTF8Check.firstInvalidOffset(bytes + start, count: count)
        {
            warnings.append(
                ExpositionWarning(
                    source: source, line: line,
                    message: "the help text of \"\(name)\" is not valid UTF-8 (byte 0x\(hex(bytes[start + bad])) at "
                        + "column \(column(of: start + bad))): it is sent with U+FFFD in place of the bad bytes, as the "
                        + "Pushgateway stores it; write the file as UTF-8 to keep the text"))
        }
        guard escaped else { return text(start, count) }
        return unescape(start, count)
    }

    /// Applies a `# HELP`, `# TYPE` or `# UNIT` line to its family, opening the family if
    /// it is not the current one. In the text format a family read before is continued, as
    /// Prometheus does; there `# HELP` may also follow the samples, `# TYPE` may not.
    private mutating func declare(
        _ metadata: MetadataKind, name: String, value: String = "", kind: FamilyKind = .unknown
    ) throws(ExpositionParseError) {
        if !hasFamily || family.name != name {
            if let position = familyPositions[name] {
                let ended = allFamilies[position]
                if openMetrics {
                    let firstLine: Int? =
                        switch metadata {
                        case .help: ended.helpLine
                        case .type: ended.typeLine
                        case .unit: ended.unitLine
                        }
                    if let firstLine {
                        throw failure(
                            "second '# \(metadata.rawValue)' line for \"\(name)\" (the first is on line \(firstLine))")
                    }
                    throw failure(
                        "'# \(metadata.rawValue)' for \"\(name)\" is apart from the rest of that family "
                            + "(which starts on line \(ended.firstLine)): keep all lines of a metric family together")
                }
                try endFamily()
                resume(position)
            } else {
                if let owner = sampleOwners[name] {
                    throw failure(
                        "family \"\(name)\" has the name of a sample of the family \"\(owner.family)\" "
                            + "(line \(owner.line)): give every family its own names")
                }
                try endFamily()
                try startFamily(name: name, declared: true)
            }
        }
        if openMetrics {
            guard family.sampleLines == 0 else {
                throw failure(
                    "'# \(metadata.rawValue)' for \"\(name)\" comes after its samples (from line \(family.firstLine)): "
                        + "put the family's '# HELP' and '# TYPE' lines before its samples")
            }
        }
        let earlierLine: Int?
        switch metadata {
        case .help:
            earlierLine = family.helpLine
            family.helpLine = line
            family.help = value
        case .type:
            earlierLine = family.typeLine
            if earlierLine == nil && family.sampleLines > 0 {
                throw failure(
                    "'# TYPE' for \"\(name)\" comes after its samples (from line \(family.firstLine)): "
                        + "put the family's '# TYPE' line before its samples (Prometheus and the Pushgateway refuse it "
                        + "after them)")
            }
            family.typeLine = line
            family.setKind(kind)
            family.namesClaimed = false
        case .unit:
            earlierLine = family.unitLine
            family.unitLine = line
            family.unit = value.isEmpty ? nil : value
        }
        if let earlierLine {
            throw failure("second '# \(metadata.rawValue)' line for \"\(name)\" (the first is on line \(earlierLine))")
        }
    }

    // MARK: Families

    /// Opens a new family named `name` as the current one (the previous one must be ended).
    mutating func startFamily(name: String, declared: Bool) throws(ExpositionParseError) {
        if openMetrics && name.utf8.first == UInt8(ascii: "_") {
            throw failure(
                "the metric name \"\(name)\" starts with '_': OpenMetrics reserves such names; rename the metric")
        }
        let position = allFamilies.count
        allFamilies.append(.placeholder)
        familyPositions[name] = position
        family = OpenFamily(
            name: name, position: position, firstLine: line, openMetrics: openMetrics, declared: declared)
        hasFamily = true
        generation += 1
    }

    /// Continues the text-format family at `position` (the previous one must be ended):
    /// it gets a new generation, and its series are stamped with it again so duplicates
    /// of its earlier lines are still found.
    mutating func resume(_ position: Int) {
        family = allFamilies[position]
        allFamilies[position] = .placeholder
        hasFamily = true
        generation += 1
        for key in family.seriesKeys {
            seriesStamps[Int(key >> 32)] = generation << 32 | (key & 0xFFFF_FFFF)
        }
    }

    /// Closes the current family: claims its names if it had no samples, finishes its
    /// last OpenMetrics point, and puts it back in the list.
    mutating func endFamily() throws(ExpositionParseError) {
        guard hasFamily else { return }
        if !family.namesClaimed { try claimNames(line: family.typeLine ?? family.firstLine) }
        hasFamily = false
        if openMetrics {
            try closePoint()
            family.finishedMetrics = []
            if family.kind == .stateset || family.kind == .info, let unitLine = family.unitLine, family.unit != nil {
                throw ExpositionParseError(
                    source: source, line: unitLine,
                    reason: "the \(family.kind.word(openMetrics: true)) \"\(family.name)\" has the unit "
                        + "\"\(family.unit!)\": OpenMetrics \(family.kind.word(openMetrics: true)) families have no unit; "
                        + "remove the '# UNIT' line")
            }
        }
        allFamilies[family.position] = family
    }

    // MARK: Lines and bytes

    /// Moves past the newline that ends the current line. The text format accepts a
    /// last line without one (as Prometheus does); in OpenMetrics only `# EOF` may lack it.
    mutating func endLine() throws(ExpositionParseError) {
        if index < end {
            index += 1
            line += 1
        } else if openMetrics {
            throw failure(
                "the document ends without a newline after this line and without '# EOF': "
                    + "an OpenMetrics document must end with the line '# EOF'")
        }
    }

    /// Checks that only the end of the line (after blanks, in the text format) follows.
    /// (`what` is built only for the message.)
    func expectEndOfLine(after what: @autoclosure () -> String) throws(ExpositionParseError) {
        guard index < end && bytes[index] != UInt8(ascii: "\n") else { return }
        if bytes[index] == UInt8(ascii: "\r") && index + 1 < end && bytes[index + 1] == UInt8(ascii: "\n") {
            throw carriageReturn()
        }
        throw failure("unexpected \(describe(index)) after \(what()): expected the end of the line")
    }

    @inline(__always)
    mutating func skipBlanksInText() {
        guard !openMetrics else { return }
        while index < end && isBlank(bytes[index]) { index += 1 }
    }

    @inline(__always)
    func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    @inline(__always)
    func isMetricNameByte(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
    }

    /// Scans `[a-zA-Z_:][a-zA-Z0-9_:]*` at the current position; returns its length.
    @inline(__always)
    mutating func scanMetricName() -> Int {
        let start = index
        guard index < end, isMetricNameByte(bytes[index]), !isDigit(bytes[index]) else { return 0 }
        index += 1
        while index < end && isMetricNameByte(bytes[index]) { index += 1 }
        return index - start
    }

    /// Scans `[a-zA-Z_][a-zA-Z0-9_]*` at the current position; returns its length.
    @inline(__always)
    mutating func scanLabelName() -> Int {
        let start = index
        guard index < end, isMetricNameByte(bytes[index]), !isDigit(bytes[index]), bytes[index] != UInt8(ascii: ":")
        else { return 0 }
        index += 1
        while index < end && isMetricNameByte(bytes[index]) && bytes[index] != UInt8(ascii: ":") { index += 1 }
        return index - start
    }

    @inline(__always)
    func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    func text(_ start: Int, _ count: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: bytes + start, count: count), as: UTF8.self)
    }

    func matches(_ start: Int, _ count: Int, _ other: [UInt8]) -> Bool {
        other.count == count && other.withUnsafeBufferPointer { memcmp($0.baseAddress!, bytes + start, count) == 0 }
    }

    /// Undoes `\\`, `\n` and `\"`; any other escape (OpenMetrics allows them) stands for
    /// itself, backslash included.
    mutating func unescape(_ start: Int, _ count: Int) -> String {
        scratch.removeAll(keepingCapacity: true)
        var offset = start
        let stop = start + count
        while offset < stop {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\\") {
                let next = bytes[offset + 1]
                switch next {
                case UInt8(ascii: "n"): scratch.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "\\"), UInt8(ascii: "\""): scratch.append(next)
                default:
                    scratch.append(byte)
                    scratch.append(next)
                }
                offset += 2
            } else {
                scratch.append(byte)
                offset += 1
            }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    func checkUTF8(_ start: Int, _ count: Int, what: @autoclosure () -> String) throws(ExpositionParseError) {
        guard !UTF8Check.isASCII(bytes + start, count: count) else { return }
        if let bad = UTF8Check.firstInvalidOffset(bytes + start, count: count) {
            throw failure(
                "\(what()) is not valid UTF-8 (byte 0x\(hex(bytes[start + bad])) at column \(column(of: start + bad))): "
                    + "the format is UTF-8 text")
        }
    }

    // MARK: Messages

    func failure(_ reason: String) -> ExpositionParseError {
        ExpositionParseError(source: source, line: line, reason: reason)
    }

    /// The byte at `position` as a message shows it: `'x'`, `a space`, `the end of the line`.
    func describe(_ position: Int) -> String {
        guard position < end else { return "the end of the file" }
        let byte = bytes[position]
        switch byte {
        case UInt8(ascii: "\n"): return "the end of the line"
        case UInt8(ascii: " "): return "a space"
        case UInt8(ascii: "\t"): return "a tab"
        case UInt8(ascii: "\r"): return "a carriage return"
        case UInt8(ascii: "'"): return "\"'\""
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            if byte >= 0x80, let scalarEnd = scalarEnd(at: position),
                let scalar = text(position, scalarEnd - position).unicodeScalars.first
            {
                let code = String(scalar.value, radix: 16, uppercase: true)
                return "'\(scalar)' (U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code))"
            }
            return "byte 0x\(hex(byte))"
        }
    }

    /// `'\t'` for the backslash at `position` and the byte after it.
    func describeEscape(_ position: Int) -> String {
        guard position + 1 < end else { return "'\\' at the end of the file" }
        let next = bytes[position + 1]
        switch next {
        case UInt8(ascii: "\n"): return "'\\' at the end of the line"
        case 0x21...0x7E: return "'\\\(Character(Unicode.Scalar(next)))'"
        default: return "'\\' followed by \(describe(position + 1))"
        }
    }

    func carriageReturn() -> ExpositionParseError {
        failure("the line ends in a carriage return: the format uses '\\n' line endings, not '\\r\\n'")
    }

    func invalidNameCharacter(_ name: String, what: String) -> ExpositionParseError {
        failure("invalid character \(describe(index)) in the \(what) \"\(name)\" (or a missing space after it)")
    }

    /// The 1-based column (in bytes) of `position` on its line.
    func column(of position: Int) -> Int {
        var start = position
        while start > 0 && bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        return position - start + 1
    }

    private func scalarEnd(at position: Int) -> Int? {
        let remaining = min(4, end - position)
        guard UTF8Check.firstInvalidOffset(bytes + position, count: remaining) != 0 else { return nil }
        var next = position + 1
        while next < end && next < position + 4 && bytes[next] & 0xC0 == 0x80 { next += 1 }
        return next
    }

    func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }

    /// `name{a="b",c="d"}` as the text format writes it.
    static func seriesText(_ name: String, _ labels: Labels) -> String {
        var buffer = Array(name.utf8)
        if !labels.isEmpty {
            buffer.append(UInt8(ascii: "{"))
            for (offset, pair) in labels.enumerated() {
                if offset > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer += pair.name.utf8
                buffer += "=\"".utf8
                for byte in pair.value.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): buffer += "\\\\".utf8
                    case UInt8(ascii: "\n"): buffer += "\\n".utf8
                    case UInt8(ascii: "\""): buffer += "\\\"".utf8
                    default: buffer.append(byte)
                    }
                }
                buffer.append(UInt8(ascii: "\""))
            }
            buffer.append(UInt8(ascii: "}"))
        }
        return String(decoding: buffer, as: UTF8.self)
    }
}

extension DocumentParser.MetadataKind {
    /// What follows the name, for messages.
    var argument: String {
        switch self {
        case .help: "<text>"
        case .type: "<type>"
        case .unit: "<unit>"
        }
    }
}
