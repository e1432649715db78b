import Exposition

/// A ``MetricsSource`` that can also hand a scrape its metrics as a document rendered
/// straight from its own data, so that the server never builds the metric families.
///
/// At 10,000 IPVS services the families are over 40 MB; the collector's document
/// (`IPVSMetrics.document`) renders the same bytes from the collection itself. The
/// server uses ``collectDocument()`` instead of ``MetricsSource/collect()`` when the
/// source offers it.
public protocol ScrapeDocumentSource: MetricsSource {
    /// Collects, like ``MetricsSource/collect()``, and returns what renders the result.
    func collectDocument() async -> ScrapeDocumentFactory
}

/// Makes the document of one collection in the format a scrape asked for, with the
/// server's own families (its self metrics) merged in.
public struct ScrapeDocumentFactory: Sendable {
    private let make: @Sendable (ExpositionFormat, [MetricFamily]) -> any ExpositionDocument

    /// `make` gets the format and the families to merge in (in name order with the rest)
    /// and returns a fresh document each time it is called.
    public init(
        _ make: @escaping @Sendable (_ format: ExpositionFormat, _ extra: [MetricFamily]) -> any ExpositionDocument
    ) {
        self.make = make
    }

    /// A fresh document in `format` with `extra` merged in.
    public func document(format: ExpositionFormat, extra: [MetricFamily] = []) -> any ExpositionDocument {
        make(format, extra)
    }
}
