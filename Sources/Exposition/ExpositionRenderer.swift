/// Writes metric families as Prometheus text 0.0.4 or OpenMetrics 1.0 text.
///
/// The output is deterministic: families are sorted bytewise by name, samples keep the
/// order they have in the family, so the same input always gives the same bytes (which
/// keeps pushes and tests comparable). Every line, including the last, ends in `\n`.
///
/// Each family gets `# HELP` and `# TYPE` lines; OpenMetrics adds `# UNIT` when the
/// family has a unit that its OpenMetrics name ends with (`_seconds` for `seconds`), as
/// the format requires, and ends with `# EOF`. In OpenMetrics a counter family is named
/// without its `_total` suffix while its samples keep it, and `untyped` is `unknown`.
/// Timestamps are integer milliseconds in the text format and seconds in OpenMetrics.
///
/// The caller gives every family a distinct, valid name and valid label names; the
/// renderer escapes help text and label values but does not check names. (Readers of the
/// text format drop blanks at the start of help text; it has no escape for them.)
///
/// Rendering appends bytes to the buffer, with each family's name bytes prepared once,
/// so large sets (hundreds of thousands of samples) render without a string per sample.
public enum ExpositionRenderer {
    /// Appends the families to `buffer` in `format`.
    public static func render(_ families: [MetricFamily], format: ExpositionFormat, into buffer: inout [UInt8]) {
        var cache = RenderedLabelCache()
        for index in orderByName(families) { render(families[index], format: format, cache: &cache, into: &buffer) }
        if format == .openMetrics { appendLiteral("# EOF\n", into: &buffer) }
    }

    /// Renders the document in pieces: `sink` gets the bytes whenever the buffer has
    /// reached `threshold`, and once more at the end. The buffer is reused, so memory
    /// stays near `threshold` instead of the whole document (hundreds of megabytes at
    /// 10,000 services), which matters where page faults are dear.
    public static func render(
        _ families: [MetricFamily], format: ExpositionFormat, flushingAt threshold: Int,
        to sink: ([UInt8]) throws -> Void
    ) rethrows {
        var chunks = ExpositionChunkRenderer(families, format: format)
        try chunks.write(inPiecesOf: threshold, to: sink)
    }

    /// The indices of `families` in bytewise name order.
    static func orderByName(_ families: [MetricFamily]) -> [Int] {
        if isSortedByName(families) { return Array(families.indices) }
        return families.indices.sorted { Labels.bytewiseLess(families[$0].name, families[$1].name) }
    }

    /// The families as a complete document in `format`.
    public static func render(_ families: [MetricFamily], format: ExpositionFormat) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(estimatedSize(of: families))
        render(families, format: format, into: &buffer)
        return buffer
    }

    /// The name a family has in `format`'s `# HELP`, `# TYPE` and `# UNIT` lines: the
    /// model name, without `_total` for an OpenMetrics counter and `_info` for an info
    /// family.
    public static func familyName(of family: MetricFamily, format: ExpositionFormat) -> String {
        if format == .openMetrics, let suffix = family.type.openMetricsSampleSuffix,
            family.name.utf8.count > suffix.utf8.count, family.name.hasSuffix(suffix)
        {
            return String(family.name.dropLast(suffix.count))
        }
        return family.name
    }

    // MARK: One family

    private static func render(
        _ family: MetricFamily, format: ExpositionFormat, cache: inout RenderedLabelCache, into buffer: inout [UInt8]
    ) {
        let ownSampleName = renderHeader(of: family, format: format, into: &buffer)
        cache.beginFamily(sampleCount: family.samples.count)
        _ = renderSamples(
            of: family, from: 0, ownSampleName: ownSampleName, openMetrics: format == .openMetrics,
            stoppingAt: .max, cache: &cache, into: &buffer)
        cache.endFamily()
    }

    /// Appends the family's `# HELP`, `# TYPE` (and `# UNIT`) lines and returns the bytes
    /// of the name its own samples are printed with (an OpenMetrics counter's with
    /// `_total`, an info family's with `_info`). The family's samples are not looked at: for renderers that write the
    /// sample lines themselves.
    public static func renderHeader(of family: MetricFamily, format: ExpositionFormat, into buffer: inout [UInt8])
        -> [UInt8]
    {
        let openMetrics = format == .openMetrics
        let modelName = Array(family.name.utf8)
        var metadataName = modelName[...]
        var ownSampleName = modelName
        if openMetrics, let suffix = family.type.openMetricsSampleSuffix {
            if modelName.count > suffix.utf8.count && modelName.suffix(suffix.utf8.count).elementsEqual(suffix.utf8) {
                metadataName = modelName.dropLast(suffix.utf8.count)
            } else {
                ownSampleName += suffix.utf8
            }
        }

        appendLiteral("# HELP ", into: &buffer)
        buffer.append(contentsOf: metadataName)
        buffer.append(UInt8(ascii: " "))
        appendEscaped(family.help, escapingQuotes: openMetrics, into: &buffer)
        buffer.append(UInt8(ascii: "\n"))

        appendLiteral("# TYPE ", into: &buffer)
        buffer.append(contentsOf: metadataName)
        buffer.append(UInt8(ascii: " "))
        buffer.append(contentsOf: typeName(family.type, openMetrics: openMetrics).utf8)
        buffer.append(UInt8(ascii: "\n"))

        if openMetrics, let unit = family.unit, !unit.isEmpty,
            metadataName.count > unit.utf8.count,
            metadataName.suffix(unit.utf8.count).elementsEqual(unit.utf8),
            metadataName[metadataName.endIndex - unit.utf8.count - 1] == UInt8(ascii: "_")
        {
            appendLiteral("# UNIT ", into: &buffer)
            buffer.append(contentsOf: metadataName)
            buffer.append(UInt8(ascii: " "))
            buffer.append(contentsOf: unit.utf8)
            buffer.append(UInt8(ascii: "\n"))
        }
        return ownSampleName
    }

    /// Appends the sample lines of `family` from position `start` on, until the family
    /// ends or the buffer holds `limit` bytes or more (checked after each line), and
    /// returns the position of the first sample not rendered. The cache must have begun
    /// this family.
    static func renderSamples(
        of family: MetricFamily, from start: Int, ownSampleName: [UInt8], openMetrics: Bool, stoppingAt limit: Int,
        cache: inout RenderedLabelCache, into buffer: inout [UInt8]
    ) -> Int {
        let name = family.name
        // Samples are read in place (`pointee.field`), so only what is used is loaded and
        // a sample's label storage is not touched when the cache already has its text.
        return family.samples.withUnsafeBufferPointer { samples in
            guard let first = samples.baseAddress else { return 0 }
            var position = start
            while position < samples.count {
                let sample = first + position
                if sample.pointee.name == name {
                    buffer.append(contentsOf: ownSampleName)
                } else {
                    appendRaw(sample.pointee.name, into: &buffer)
                }
                cache.appendLabels(of: sample, at: position, into: &buffer)
                buffer.append(UInt8(ascii: " "))
                appendValue(sample.pointee.value, into: &buffer)
                if let milliseconds = sample.pointee.timestampMilliseconds {
                    buffer.append(UInt8(ascii: " "))
                    if openMetrics {
                        NumberText.appendSeconds(milliseconds: milliseconds, into: &buffer)
                    } else {
                        NumberText.appendInteger(milliseconds, into: &buffer)
                    }
                }
                buffer.append(UInt8(ascii: "\n"))
                position += 1
                if buffer.count >= limit { break }
            }
            return position
        }
    }

    private static func typeName(_ type: MetricType, openMetrics: Bool) -> String {
        openMetrics ? (type == .untyped ? "unknown" : type.rawValue) : type.textFormatType.rawValue
    }

    // MARK: Pieces

    /// Appends `{name="value",…}` with the values escaped (nothing else is checked: the
    /// names must be valid and in order).
    public static func appendLabels(_ pairs: [Label], into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        var first = true
        for pair in pairs {
            if !first { buffer.append(UInt8(ascii: ",")) }
            first = false
            appendRaw(pair.name, into: &buffer)
            buffer.append(UInt8(ascii: "="))
            buffer.append(UInt8(ascii: "\""))
            appendEscaped(pair.value, escapingQuotes: true, into: &buffer)
            buffer.append(UInt8(ascii: "\""))
        }
        buffer.append(UInt8(ascii: "}"))
    }

    @inline(__always)
    private static func appendRaw(_ text: String, into buffer: inout [UInt8]) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { buffer.append(contentsOf: $0) }
        if done == nil { buffer.append(contentsOf: text.utf8) }
    }

    /// Appends a label value with `\`, newline and `"` escaped.
    public static func appendLabelValue(_ value: String, into buffer: inout [UInt8]) {
        appendEscaped(value, escapingQuotes: true, into: &buffer)
    }

    /// Appends a sample value as the text formats write it (`NaN`, `+Inf`, shortest
    /// round-trip decimal, integers without exponent up to 2^53).
    ///
    /// Integral values (every IPVS counter and gauge) are written from a stack buffer:
    /// one append per value, no array slice to reverse in place.
    @inline(__always)
    public static func appendValue(_ value: Double, into buffer: inout [UInt8]) {
        guard value >= 0, value < NumberText.exactIntegerLimit, value == value.rounded(.towardZero),
            value != 0 || value.sign == .plus
        else {
            NumberText.appendValue(value, into: &buffer)
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var position = raw.count
            var rest = UInt64(value)
            repeat {
                position -= 1
                let (quotient, digit) = rest.quotientAndRemainder(dividingBy: 10)
                raw[position] = UInt8(truncatingIfNeeded: digit) &+ 48
                rest = quotient
            } while rest != 0
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[position...]))
        }
    }

    /// Appends `text` with `\` and newline escaped, and `"` too when `escapingQuotes`
    /// (label values, OpenMetrics help). Text without those bytes is copied in one go.
    @inline(__always)
    private static func appendEscaped(_ text: String, escapingQuotes: Bool, into buffer: inout [UInt8]) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            appendEscaped(bytes, escapingQuotes: escapingQuotes, into: &buffer)
        }
        if done == nil {
            Array(text.utf8).withUnsafeBufferPointer {
                appendEscaped($0, escapingQuotes: escapingQuotes, into: &buffer)
            }
        }
    }

    @inline(__always)
    private static func appendEscaped(
        _ bytes: UnsafeBufferPointer<UInt8>, escapingQuotes: Bool, into buffer: inout [UInt8]
    ) {
        var clean = true
        for byte in bytes
        where byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n") || (escapingQuotes && byte == UInt8(ascii: "\""))
        {
            clean = false
            break
        }
        if clean {
            buffer.append(contentsOf: bytes)
            return
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"):
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\n"):
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\"") where escapingQuotes:
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "\""))
            default:
                buffer.append(byte)
            }
        }
    }

    @inline(__always)
    static func appendLiteral(_ literal: StaticString, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private static func isSortedByName(_ families: [MetricFamily]) -> Bool {
        var index = families.startIndex + 1
        while index < families.endIndex {
            if Labels.bytewiseLess(families[index].name, families[index - 1].name) { return false }
            index += 1
        }
        return true
    }

    /// A guess of the rendered size from each family's first sample, so the buffer
    /// grows once instead of doubling many times for large sets.
    private static func estimatedSize(of families: [MetricFamily]) -> Int {
        var total = 16
        for family in families {
            total += 3 * family.name.utf8.count + family.help.utf8.count + 40
            guard let sample = family.samples.first else { continue }
            var perSample = sample.name.utf8.count + 26
            for pair in sample.labels.pairs { perSample += pair.name.utf8.count + pair.value.utf8.count + 4 }
            total += perSample * family.samples.count
        }
        return total
    }
}
