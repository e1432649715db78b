/// A metric family: a name, a type, its help and unit, and its samples.
///
/// `name` is the name the Prometheus text format uses: a counter's family name ends
/// in `_total` here (`ipvs_service_connections_total`), and the OpenMetrics renderer
/// strips that suffix for its `# TYPE`, `# HELP` and `# UNIT` lines.
public struct MetricFamily: Sendable, Hashable {
    public var name: String
    public var type: MetricType
    public var help: String
    /// The OpenMetrics unit (`seconds`, `bytes`); the family name must end with it
    /// (before `_total` for counters).
    public var unit: String?
    public var samples: [Sample]
    /// The family name its document declared when that differs from `name`: an
    /// OpenMetrics counter's or info family's name, without `_total` or `_info`. Remote
    /// write 1.0 names the family so in its metadata, as Prometheus does for what it
    /// scraped as OpenMetrics. nil for families made here and text-format ones.
    public var declaredName: String?

    public init(
        name: String, type: MetricType, help: String, unit: String? = nil, samples: [Sample] = [],
        declaredName: String? = nil
    ) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
        self.samples = samples
        self.declaredName = declaredName
    }

    /// The name remote write's metadata gives the family.
    public var metadataName: String { declaredName ?? name }

    /// Appends a sample named after the family.
    public mutating func add(_ labels: Labels, _ value: Double) {
        samples.append(Sample(name: name, labels: labels, value: value))
    }
}
