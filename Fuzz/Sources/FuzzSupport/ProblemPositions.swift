/// A problem's position as the configuration readers report it.
public protocol PositionedProblem {
    var line: Int { get }
    var column: Int { get }
}

/// Problems point inside the file: line 0 (the whole file) or one of its lines.
public func checkPositions(_ problems: [some PositionedProblem], lineCount: Int) {
    for problem in problems {
        fuzzCheck(
            problem.line >= 0 && problem.line <= lineCount && problem.column >= 0,
            "a problem at \(problem.line):\(problem.column) in a file of \(lineCount) lines")
    }
}

/// The number of lines of `bytes` as YAML counts them (LF, CR, CR LF, NEL, LS and PS
/// break lines), so a position past them is a position outside the file.
public func yamlLineCount(_ bytes: [UInt8]) -> Int {
    var lines = 1
    var previous: Unicode.Scalar?
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
        switch scalar {
        case "\n" where previous == "\r": break
        case "\n", "\r", "\u{85}", "\u{2028}", "\u{2029}": lines += 1
        default: break
        }
        previous = scalar
    }
    return lines
}
