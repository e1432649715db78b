#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a Prometheus text 0.0.4 or OpenMetrics 1.0 document into the metric model,
/// validating all of it, so a tool can refuse to send anything from a file with a
/// mistake and point at the line.
///
/// **Text 0.0.4 is read as Prometheus' parser reads it, held to what the Pushgateway
/// stores.** A document the Pushgateway stores without loss is accepted: families that
/// come back after others are merged (`# TYPE` must still come before a family's samples;
/// `# HELP` may come anywhere, once); bare `# HELP`/`# TYPE` lines and `# HELP name`/`# TYPE
/// name` without more are comments; comments (including `# EOF` and `# UNIT` lines) are not
/// checked at all. Refused is what Prometheus or the Pushgateway refuses (syntax, escapes
/// other than `\\`, `\"`, `\n`, label values that are not UTF-8, label names starting with
/// `__`, a second `# HELP` or `# TYPE`, duplicate series) and what it would store wrongly or
/// lose: a histogram sample without its suffix, a bucket without `le` or a quantile without
/// `quantile`, two buckets or quantiles with the same number, `le`/`quantile` on `_sum` or
/// `_count`, bucket and count values that are not whole numbers from 0 to 2^64. Warned
/// about, and kept: a sample named like a declared counter, histogram or summary with
/// another type's suffix (`x_total` after `# TYPE x counter`), which becomes an untyped
/// family of its own as Prometheus reads it; help text that is not UTF-8 (bad bytes become
/// U+FFFD). A histogram without a `+Inf` bucket is accepted: the Pushgateway serves its
/// count as that bucket. Beyond Prometheus, blanks at line ends and a last line without a
/// newline are accepted. Timestamps are integer milliseconds.
///
/// **OpenMetrics 1.0 is held to every MUST of the specification a parser can check**:
/// the stricter syntax (single spaces, no blank lines, no other comments, `# EOF` last,
/// any escape in label values and help); metadata before the samples and at most once;
/// families, metrics and MetricPoints not interleaved, several points of one series only
/// with increasing timestamps; names and label names not starting with `_`; sample names
/// by type; counter totals neither NaN nor negative; histograms and gaugehistograms with
/// a `+Inf` bucket, buckets increasing in `le` and cumulative, whole and not negative,
/// `_count` and `_sum` together and the count equal to the `+Inf` bucket, no sum beside
/// negative buckets; summary counts and sums not NaN nor negative, quantiles from 0 to 1
/// with values not negative; stateset values 0 or 1 with the family-named label; info
/// values 1; a unit that ends the name, none on stateset and info; exemplars only on
/// totals and buckets, at most 128 characters of labels, inside their bucket. Timestamps
/// are seconds with any number of digits, returned as milliseconds.
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
/// after them. An empty document is valid text with no families.
public enum ExpositionParser {
    /// Parses a whole document. Without `format`, the document is OpenMetrics when its
    /// last line is `# EOF`, and text 0.0.4 otherwise.
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

    /// OpenMetrics if the last line is `# EOF` (with or without its newline).
    static func detectFormat(_ bytes: UnsafePointer<UInt8>, count: Int) -> ExpositionFormat {
        var last = count
        if last > 0 && bytes[last - 1] == UInt8(ascii: "\n") { last -= 1 }
        return last >= 5 && isLine(bytes, count: count, at: last - 5, "# EOF") ? .openMetrics : .prometheus
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
