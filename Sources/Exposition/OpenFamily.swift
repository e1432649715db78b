/// A family the parser has met: its metadata, the sample names it accepts and the samples
/// read so far, plus what is needed to reject duplicates and broken histograms. In the
/// text format a family can be continued after others (Prometheus merges interleaved
/// families), so ended families are kept in this form until the document ends.
struct OpenFamily {
    /// One sample name the family accepts, with the bytes to compare a line against.
    struct SampleName {
        var bytes: [UInt8]
        /// The name the model sample gets (shares storage with the family name when equal).
        var name: String
        var role: SampleRole
    }

    /// A stand-in left in the parser's family list while the family itself is being read,
    /// so the one being read holds the only reference to its storage.
    static let placeholder = OpenFamily(name: "", position: -1, firstLine: 0, openMetrics: false, declared: false)

    /// The name as the document writes it in `# TYPE` (OpenMetrics counters: no `_total`).
    let name: String
    /// The family's index in the parser's list (the order of first appearance).
    let position: Int
    let firstLine: Int
    let openMetrics: Bool
    /// Whether the family was opened by a `# HELP`/`# TYPE`/`# UNIT` line, not a sample.
    let declared: Bool
    private(set) var kind: FamilyKind = .unknown
    /// The model family name: OpenMetrics counters get `_total` back, info families `_info`.
    private(set) var modelName: String
    var help: String?
    var unit: String?
    var helpLine: Int?
    var typeLine: Int?
    var unitLine: Int?
    var sampleNames: [SampleName]
    var samples: [Sample] = []
    /// The line of each sample in `samples`.
    var sampleLineNumbers: [Int] = []
    /// Sample lines read, including dropped `_created` ones.
    var sampleLines = 0
    /// Whether the family's sample names are entered in the parser's owner table (at its
    /// first sample, or when it ends without samples).
    var namesClaimed = false
    /// Text format: every series read, as `slot << 32 | line` (the parser's duplicate-check
    /// slot), so a family continued after others can be checked against its earlier lines.
    var seriesKeys: [UInt64] = []
    /// Text format: the `le` (histograms) or `quantile` (summaries) values of each series
    /// (its labels without them), as numbers: `le="1"` and `le="1.0"` are one bucket.
    var boundsBySeries: [Labels: [Double]] = [:]
    /// OpenMetrics: the MetricPoint being read, and the metrics (label sets without `le`
    /// or `quantile`) whose points are finished: a metric must not come back.
    var point: MetricPoint?
    var finishedMetrics: Set<Labels> = []

    init(name: String, position: Int, firstLine: Int, openMetrics: Bool, declared: Bool) {
        self.name = name
        self.position = position
        self.firstLine = firstLine
        self.openMetrics = openMetrics
        self.declared = declared
        self.sampleNames = []
        self.modelName = name
        setKind(.unknown)
    }

    /// Sets the type and with it the sample names the family accepts (at most four, which
    /// the parser's duplicate check relies on).
    mutating func setKind(_ kind: FamilyKind) {
        self.kind = kind
        if openMetrics && kind == .counter {
            modelName = name + "_total"
        } else if openMetrics && kind == .info {
            modelName = name + "_info"
        } else {
            modelName = name
        }
        sampleNames = kind.sampleSuffixes(openMetrics: openMetrics).map { suffix, role in
            let sampleName = name + suffix
            return SampleName(
                bytes: Array(sampleName.utf8), name: sampleName == modelName ? modelName : sampleName, role: role)
        }
    }

    /// The accepted sample names, quoted, for messages: `"foo_bucket", "foo_sum" or "foo_count"`.
    var sampleNameList: String {
        let quoted = sampleNames.filter { $0.role != .created }.map { "\"\($0.name)\"" }
        guard quoted.count > 1 else { return quoted.first ?? "" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    /// Where the finished family and each of its samples stand in the document.
    func location() -> FamilyLocation {
        FamilyLocation(firstLine: typeLine ?? helpLine ?? firstLine, sampleLines: sampleLineNumbers)
    }

    /// The family in the model.
    func finished() -> MetricFamily {
        MetricFamily(
            name: modelName, type: kind.modelType, help: help ?? "", unit: unit, samples: samples,
            declaredName: modelName == name ? nil : name)
    }
}
