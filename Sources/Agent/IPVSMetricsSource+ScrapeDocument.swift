import Collector
import Exposition
import IPVSMetricSet
import PullServer

/// `serve` renders each scrape straight from the collection (``IPVSMetrics/document``)
/// instead of building the metric families first: the same bytes, without the over
/// 40 MB of families at 10,000 services.
extension IPVSMetricsSource: ScrapeDocumentSource {
    public func collectDocument() async -> ScrapeDocumentFactory {
        let collections = await collector.collect()
        let options = self.options
        return ScrapeDocumentFactory { format, extra in
            IPVSMetrics.document(collections, options: options, format: format, extra: extra)
        }
    }
}
