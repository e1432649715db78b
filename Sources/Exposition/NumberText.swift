/// Numbers as the exposition formats write them: sample values, Prometheus text timestamps
/// (integer milliseconds) and OpenMetrics timestamps (seconds with a fraction).
///
/// Writing appends bytes to a buffer without building a `String` for the common cases;
/// reading checks the syntax itself (Go-style decimal floats, `Inf`, `NaN`; no hex, no
/// underscores) and converts the common short forms exactly without calling `strtod`.
enum NumberText {
    /// 2^53: below it every integral double is an exact integer printed without a fraction.
    static let exactIntegerLimit = 9_007_199_254_740_992.0

    // MARK: Writing

    /// Appends a sample value: `+Inf`, `-Inf`, `NaN`, a plain integer for integral values
    /// below 2^53 (`-0` keeps its sign), otherwise Swift's shortest round-trip form
    /// (`0.5`, `1e+22`, `1.5e-07`), which Go's `strconv.ParseFloat` reads back.
    @inline(__always)
    static func appendValue(_ value: Double, into buffer: inout [UInt8]) {
        if value.magnitude < exactIntegerLimit, value == value.rounded(.towardZero) {
            if value == 0 && value.sign == .minus {
                buffer.append(UInt8(ascii: "-"))
                buffer.append(UInt8(ascii: "0"))
            } else {
                appendInteger(Int64(value), into: &buffer)
            }
        } else if value.isNaN {
            buffer.append(UInt8(ascii: "N"))
            buffer.append(UInt8(ascii: "a"))
            buffer.append(UInt8(ascii: "N"))
        } else if value.isInfinite {
            buffer.append(value < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            buffer.append(UInt8(ascii: "I"))
            buffer.append(UInt8(ascii: "n"))
            buffer.append(UInt8(ascii: "f"))
        } else {
            buffer.append(contentsOf: value.description.utf8)
        }
    }

    /// Appends a decimal integer.
    @inline(__always)
    static func appendInteger(_ value: Int64, into buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        appendUnsigned(value.magnitude, into: &buffer)
    }

    @inline(__always)
    static func appendUnsigned(_ value: UInt64, into buffer: inout [UInt8]) {
        if value < 10 {
            buffer.append(UInt8(truncatingIfNeeded: value) &+ 48)
            return
        }
        let start = buffer.count
        var rest = value
        repeat {
            let (quotient, digit) = rest.quotientAndRemainder(dividingBy: 10)
            buffer.append(UInt8(truncatingIfNeeded: digit) &+ 48)
            rest = quotient
        } while rest != 0
        buffer[start...].reverse()
    }

    /// Appends milliseconds as OpenMetrics seconds: `1700000000.123`, `12`, `-0.5`.
    static func appendSeconds(milliseconds: Int64, into buffer: inout [UInt8]) {
        if milliseconds < 0 { buffer.append(UInt8(ascii: "-")) }
        let (seconds, fraction) = milliseconds.magnitude.quotientAndRemainder(dividingBy: 1000)
        appendUnsigned(seconds, into: &buffer)
        guard fraction != 0 else { return }
        buffer.append(UInt8(ascii: "."))
        var rest = fraction
        var divisor: UInt64 = 100
        while rest != 0 {
            let (digit, remainder) = rest.quotientAndRemainder(dividingBy: divisor)
            buffer.append(UInt8(truncatingIfNeeded: digit) &+ 48)
            rest = remainder
            divisor /= 10
        }
    }

    // MARK: Reading

    /// Exact powers of ten a double holds; a mantissa below 2^53 times or divided by one of
    /// these is correctly rounded (the classic fast path of decimal-to-binary conversion).
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of `count` bytes at `start` if they are a number of the exposition
    /// formats: `[+-]` digits with an optional `.` fraction and `e` exponent, `[+-]Inf`,
    /// `[+-]Infinity` or `NaN` (case-insensitive, as Go's `ParseFloat` reads them). `nil`
    /// for anything else, including hex floats and decimal numbers too large for a double.
    static func parseDouble(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        guard count > 0 else { return nil }
        var index = 0
        var negative = false
        if start[0] == UInt8(ascii: "+") || start[0] == UInt8(ascii: "-") {
            negative = start[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { return nil }
        let first = start[index] | 0x20
        if first == UInt8(ascii: "i") {
            let length = count - index
            guard length == 3 || length == 8 else { return nil }
            guard matchesLowercased(start + index, count: length, "infinity") else { return nil }
            return negative ? -.infinity : .infinity
        }
        if first == UInt8(ascii: "n") {
            guard index == 0, count == 3, matchesLowercased(start, count: 3, "nan") else { return nil }
            return .nan
        }

        var mantissa: UInt64 = 0
        var exactMantissa = true
        var decimalExponent = 0
        var sawDigit = false
        while index < count, let digit = digitValue(start[index]) {
            sawDigit = true
            if mantissa < 100_000_000_000_000_000 {
                mantissa = mantissa * 10 + digit
            } else {
                decimalExponent += 1
                if digit != 0 { exactMantissa = false }
            }
            index += 1
        }
        if index < count && start[index] == UInt8(ascii: ".") {
            index += 1
            while index < count, let digit = digitValue(start[index]) {
                sawDigit = true
                if mantissa < 100_000_000_000_000_000 {
                    mantissa = mantissa * 10 + digit
                    decimalExponent -= 1
                } else if digit != 0 {
                    exactMantissa = false
                }
                index += 1
            }
        }
        guard sawDigit else { return nil }
        if index < count && (start[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count && (start[index] == UInt8(ascii: "+") || start[index] == UInt8(ascii: "-")) {
                exponentNegative = start[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponent = 0
            var sawExponentDigit = false
            while index < count, let digit = digitValue(start[index]) {
                sawExponentDigit = true
                if exponent < 100_000 { exponent = exponent * 10 + Int(digit) }
                index += 1
            }
            guard sawExponentDigit else { return nil }
            decimalExponent += exponentNegative ? -exponent : exponent
        }
        guard index == count else { return nil }

        if mantissa == 0 && exactMantissa { return negative ? -0.0 : 0.0 }
        if exactMantissa && mantissa <= 1 << 53 && decimalExponent >= -22 && decimalExponent <= 22 {
            let magnitude =
                decimalExponent < 0
                ? Double(mantissa) / exactPowersOfTen[-decimalExponent]
                : Double(mantissa) * exactPowersOfTen[decimalExponent]
            return negative ? -magnitude : magnitude
        }
        let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// The value of `count` bytes at `start` if they are an optionally signed decimal
    /// integer that fits in 64 bits.
    static func parseInteger(_ start: UnsafePointer<UInt8>, count: Int) -> Int64? {
        var index = 0
        var negative = false
        if count > 0 && (start[0] == UInt8(ascii: "+") || start[0] == UInt8(ascii: "-")) {
            negative = start[0] == UInt8(ascii: "-")
            index = 1
        }
        guard index < count else { return nil }
        var magnitude: UInt64 = 0
        while index < count {
            guard let digit = digitValue(start[index]) else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            guard !overflow1 && !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// OpenMetrics timestamp seconds (a decimal number, no `Inf`/`NaN`) as milliseconds,
    /// rounded to the nearest millisecond.
    static func parseSecondsAsMilliseconds(_ start: UnsafePointer<UInt8>, count: Int) -> Int64? {
        guard let seconds = parseDouble(start, count: count), seconds.isFinite else { return nil }
        let milliseconds = (seconds * 1000).rounded()
        guard milliseconds >= -9.2e18 && milliseconds <= 9.2e18 else { return nil }
        return Int64(milliseconds)
    }

    @inline(__always)
    private static func digitValue(_ byte: UInt8) -> UInt64? {
        let digit = byte &- UInt8(ascii: "0")
        return digit < 10 ? UInt64(digit) : nil
    }

    private static func matchesLowercased(_ start: UnsafePointer<UInt8>, count: Int, _ word: StaticString) -> Bool {
        let wordBytes = word.utf8Start
        for index in 0..<count where start[index] | 0x20 != wordBytes[index] { return false }
        return true
    }
}
