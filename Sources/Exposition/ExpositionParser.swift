#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a Prometheus text 0.0.4 or OpenMetrics 1.0 document into the metric model,
/// validating all of it, so a tool can refuse to send anything from a file with a
/// mistake and point at the line.
///
/// Checked: metric and label name syntax; label value quoting, escapes (`\\`, `\"`,
/// `\n`) and UTF-8; duplicate label names in a sample; values (`+Inf`, `-Inf`, `NaN`,
/// decimal floats; no hex); timestamps (integer milliseconds in the text format, seconds
/// in OpenMetrics, both returned as milliseconds); `# HELP`/`# TYPE` before the samples
/// of their family and at most once; families in one contiguous block; sample names that
/// fit the declared type (a histogram's `_bucket`/`_sum`/`_count`, a summary's quantiles
/// with `quantile`, an OpenMetrics counter's `_total`); buckets with `le` and a `+Inf`
/// bucket per series; duplicate series; known `# TYPE` values; and for OpenMetrics the
/// stricter syntax (single spaces, no blank lines, no other comments) and `# EOF` as the
/// last line (its own newline is optional; every other line needs one). The text format
/// accepts a last line without a newline, as Prometheus does. An empty document is valid
/// text with no families.
///
/// OpenMetrics families map into the model like this:
/// - counter `foo` (samples `foo_total`) becomes the counter family `foo_total`;
/// - `_created` samples (of counters, histograms, summaries) are dropped, the model has
///   no place for them; exemplars are checked and dropped;
/// - `unknown` becomes `.untyped`; `info` `foo` becomes the gauge family `foo_info`;
///   `stateset` becomes a gauge; `gaugehistogram` becomes `.untyped` keeping its
///   `_bucket`, `_gcount` and `_gsum` samples;
/// - `# UNIT` becomes the family's `unit`.
///
/// Samples with no `# HELP`/`# TYPE` of their own name form an untyped family named
/// after them. A sample named like the current counter, histogram or summary family plus
/// a known suffix that does not fit its type (`foo_count` after `# TYPE foo counter`,
/// `foo_total` after a text-format `# TYPE foo counter`) is an error rather than a new
/// family, as it is almost always a mistake; after a gauge or untyped family such a
/// sample starts a new untyped family, as Prometheus reads it.
public enum ExpositionParser {
    /// Parses a whole document. Without `format`, the document is OpenMetrics when it
    /// has a `# EOF` line or a `# UNIT` line, and text 0.0.4 otherwise.
    ///
    /// - Parameter source: the name errors report (usually the file path).
    public static func parse(_ bytes: [UInt8], source: String, format: ExpositionFormat? = nil)
        throws(ExpositionParseError) -> ParsedExposition
    {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ExpositionParseError) -> ParsedExposition in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                if format == .openMetrics {
                    throw ExpositionParseError(
                        source: source, line: 1,
                        reason: "missing '# EOF': an OpenMetrics document must end with the line '# EOF'")
                }
                return ParsedExposition(families: [], format: format ?? .prometheus, timestampedSamples: 0)
            }
            let resolved = format ?? detectFormat(base, count: buffer.count)
            var parser = DocumentParser(
                bytes: base, count: buffer.count, source: source, openMetrics: resolved == .openMetrics)
            return try parser.parse()
        }
    }

    /// Parses text the caller already holds as a `String`.
    public static func parse(_ text: String, source: String, format: ExpositionFormat? = nil)
        throws(ExpositionParseError) -> ParsedExposition
    {
        try parse(Array(text.utf8), source: source, format: format)
    }

    /// OpenMetrics if a line is `# EOF` or starts with `# UNIT `. The end of the document
    /// is checked first (where a valid OpenMetrics document has its `# EOF`); otherwise
    /// only lines starting with `#` are looked at.
    static func detectFormat(_ bytes: UnsafePointer<UInt8>, count: Int) -> ExpositionFormat {
        var last = count
        if last > 0 && bytes[last - 1] == UInt8(ascii: "\n") { last -= 1 }
        if isLine(bytes, count: count, at: max(0, last - 5), "# EOF") { return .openMetrics }
        var position = 0
        while position < count {
            guard let found = memchr(bytes + position, Int32(UInt8(ascii: "#")), count - position) else { break }
            let hash = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - bytes
            if hash == 0 || bytes[hash - 1] == UInt8(ascii: "\n") {
                if isLine(bytes, count: count, at: hash, "# EOF")
                    || startsWith(bytes, count: count, at: hash, "# UNIT ")
                {
                    return .openMetrics
                }
            }
            position = hash + 1
        }
        return .prometheus
    }

    /// Whether `literal` is at `position`, at the start of a line and followed by a newline
    /// or the end.
    private static func isLine(_ bytes: UnsafePointer<UInt8>, count: Int, at position: Int, _ literal: StaticString)
        -> Bool
    {
        guard position == 0 || bytes[position - 1] == UInt8(ascii: "\n") else { return false }
        guard startsWith(bytes, count: count, at: position, literal) else { return false }
        let after = position + literal.utf8CodeUnitCount
        return after == count || bytes[after] == UInt8(ascii: "\n")
    }

    private static func startsWith(_ bytes: UnsafePointer<UInt8>, count: Int, at position: Int, _ literal: StaticString)
        -> Bool
    {
        let length = literal.utf8CodeUnitCount
        return position + length <= count && memcmp(bytes + position, literal.utf8Start, length) == 0
    }
}
