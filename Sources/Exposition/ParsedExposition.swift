/// A parsed exposition document, in the metric model.
public struct ParsedExposition: Sendable, Hashable {
    /// The families in document order, named and typed as the model names them
    /// (see ``ExpositionParser`` for how OpenMetrics families map).
    public var families: [MetricFamily]
    /// The format the document was read as (given or detected).
    public var format: ExpositionFormat
    /// How many samples carried their own timestamp. The Pushgateway rejects those, so
    /// a sender can refuse the document up front.
    public var timestampedSamples: Int
    /// Where each family (same index as ``families``) and its samples stand in the
    /// document, so that checks made after parsing can still name a line.
    public var locations: [FamilyLocation]
    /// What is valid but probably a mistake, or was repaired (see ``ExpositionWarning``),
    /// in document order; a sender shows them and still sends.
    public var warnings: [ExpositionWarning]

    public init(
        families: [MetricFamily], format: ExpositionFormat, timestampedSamples: Int, locations: [FamilyLocation] = [],
        warnings: [ExpositionWarning] = []
    ) {
        self.families = families
        self.format = format
        self.timestampedSamples = timestampedSamples
        self.locations = locations
        self.warnings = warnings
    }

    /// The number of samples over all families.
    public var sampleCount: Int { families.reduce(0) { $0 + $1.samples.count } }
}
