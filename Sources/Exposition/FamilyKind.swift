/// A family type as a document declares it in `# TYPE`, covering both formats: the
/// text format's five types and OpenMetrics' eight.
enum FamilyKind: Equatable {
    case counter
    case gauge
    case histogram
    case gaugeHistogram
    case summary
    case info
    case stateset
    /// `untyped` in the text format, `unknown` in OpenMetrics, and the type of samples
    /// that have no `# TYPE` line.
    case unknown

    /// The text format's types, case-insensitive as Prometheus reads them.
    static func text(_ word: String) -> FamilyKind? {
        switch word.lowercased() {
        case "counter": .counter
        case "gauge": .gauge
        case "histogram": .histogram
        case "summary": .summary
        case "untyped": .unknown
        default: nil
        }
    }

    static func openMetrics(_ word: String) -> FamilyKind? {
        switch word {
        case "counter": .counter
        case "gauge": .gauge
        case "histogram": .histogram
        case "gaugehistogram": .gaugeHistogram
        case "summary": .summary
        case "info": .info
        case "stateset": .stateset
        case "unknown": .unknown
        default: nil
        }
    }

    static let textTypeList = "counter, gauge, histogram, summary or untyped"
    static let openMetricsTypeList = "counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown"

    /// The type's word in `format`, for messages.
    func word(openMetrics: Bool) -> String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        case .gaugeHistogram: "gaugehistogram"
        case .summary: "summary"
        case .info: "info"
        case .stateset: "stateset"
        case .unknown: openMetrics ? "unknown" : "untyped"
        }
    }

    /// The model type (``MetricType`` has all eight; `unknown` is `untyped`).
    var modelType: MetricType {
        switch self {
        case .counter: .counter
        case .gauge: .gauge
        case .info: .info
        case .stateset: .stateset
        case .histogram: .histogram
        case .gaugeHistogram: .gaugeHistogram
        case .summary: .summary
        case .unknown: .untyped
        }
    }

    /// The suffixes (after the family name) of the samples a family of this kind has,
    /// in the order they are most often met, and what each sample is.
    func sampleSuffixes(openMetrics: Bool) -> [(suffix: String, role: SampleRole)] {
        switch (self, openMetrics) {
        case (.counter, true): [("_total", .total), ("_created", .created)]
        case (.counter, false), (.gauge, _), (.unknown, _), (.stateset, _): [("", .plain)]
        case (.histogram, true): [("_bucket", .bucket), ("_count", .count), ("_sum", .sum), ("_created", .created)]
        case (.histogram, false): [("_bucket", .bucket), ("_sum", .sum), ("_count", .count)]
        case (.gaugeHistogram, _): [("_bucket", .bucket), ("_gcount", .count), ("_gsum", .sum)]
        case (.summary, true): [("", .quantile), ("_count", .count), ("_sum", .sum), ("_created", .created)]
        case (.summary, false): [("", .quantile), ("_sum", .sum), ("_count", .count)]
        case (.info, _): [("_info", .plain)]
        }
    }

    /// Whether samples of this kind are told apart by suffixes (`_total`, `_bucket`, …),
    /// so a sample named like the family with another known suffix is a mistake. For the
    /// other kinds such a sample starts a family of its own, as Prometheus reads it.
    var hasOwnSuffixes: Bool {
        switch self {
        case .counter, .histogram, .gaugeHistogram, .summary: true
        case .gauge, .info, .stateset, .unknown: false
        }
    }

    /// Every suffix any kind uses; a sample named like a counter, histogram or summary
    /// family plus one of these is taken as meant for that family, so a mismatch is an
    /// error instead of silently starting a new family.
    static let knownSuffixes = ["", "_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"]
}
