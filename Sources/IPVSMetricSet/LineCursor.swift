import Collector

/// Writes at a raw position without bounds checks (the assembler made room).
struct LineCursor {
    var position: UnsafeMutablePointer<UInt8>

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        position.pointee = value
        position += 1
    }

    @inline(__always)
    mutating func bytes(_ source: UnsafeBufferPointer<UInt8>) {
        guard let start = source.baseAddress else { return }
        position.update(from: start, count: source.count)
        position += source.count
    }

    @inline(__always)
    mutating func literal(_ text: StaticString) {
        bytes(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A decimal number, as `String(value)` writes it.
    @inline(__always)
    mutating func decimal(_ value: UInt64) {
        var digits = 1
        var limit: UInt64 = 10
        while value >= limit && digits < 20 {
            digits += 1
            let (next, overflow) = limit.multipliedReportingOverflow(by: 10)
            if overflow { break }
            limit = next
        }
        var rest = value
        var index = digits
        repeat {
            index -= 1
            let (quotient, digit) = rest.quotientAndRemainder(dividingBy: 10)
            position[index] = UInt8(truncatingIfNeeded: digit) &+ 48
            rest = quotient
        } while index > 0
        position += digits
    }

    /// ` value\n` for a value that is a non-negative integer below 2^53 (what
    /// `ExpositionRenderer.appendValue` writes for it); false, writing nothing, otherwise.
    @inline(__always)
    mutating func integralValueLine(_ value: Double) -> Bool {
        guard value >= 0, value < 9_007_199_254_740_992, value == value.rounded(.towardZero),
            value != 0 || value.sign == .plus
        else { return false }
        byte(UInt8(ascii: " "))
        decimal(UInt64(value))
        byte(UInt8(ascii: "\n"))
        return true
    }

    /// An address as its ``IPAddress/description`` writes it (at most 45 bytes).
    @inline(__always)
    mutating func address(_ address: IPAddress) {
        position += address.writeText(to: position)
    }
}
