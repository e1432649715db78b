import Exposition

/// What one collection gives every scrape waiting for it: the metric families, or,
/// from a ``ScrapeDocumentSource``, what renders the collection directly.
enum ScrapeContent: Sendable {
    case families([MetricFamily])
    case document(ScrapeDocumentFactory)

    /// Collects from `source` the way it serves scrapes best.
    static func collect(from source: any MetricsSource) async -> ScrapeContent {
        if let documents = source as? any ScrapeDocumentSource {
            return .document(await documents.collectDocument())
        }
        return .families(await source.collect())
    }

    /// The document of the collection in `format`, with `extra` merged in.
    func document(format: ExpositionFormat, extra: [MetricFamily]) -> any ExpositionDocument {
        switch self {
        case .families(let families): ExpositionChunkRenderer(families + extra, format: format)
        case .document(let factory): factory.document(format: format, extra: extra)
        }
    }
}
