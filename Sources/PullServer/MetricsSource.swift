import Exposition

/// What the pull server serves: the metric families as they are at the moment of a
/// scrape.
///
/// The server calls ``collect()`` once per scrape, and once for all scrapes that arrive
/// while a collection is still running. A source never fails as a whole: a part that
/// cannot be read (one network namespace, say) is reported inside the families, as the
/// collector's `ipvs_up 0` series does, so that the rest is still served.
public protocol MetricsSource: Sendable {
    /// Reads the current metric families. Called from any task; may take as long as it
    /// needs, the server stops waiting at the scrape's timeout.
    func collect() async -> [MetricFamily]
}
