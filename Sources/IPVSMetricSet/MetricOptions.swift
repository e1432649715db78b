/// What the metric set includes and how it is named.
public struct MetricOptions: Sendable, Hashable {
    /// Metric names of another exporter, for drop-in replacement.
    public enum Compatibility: String, Sendable, Hashable, CaseIterable {
        /// cirocosta/ingress_ipvs_exporter's names and labels.
        case ingressIPVSExporter = "ingress-ipvs-exporter"
        /// Telegraf's `inputs.ipvs` through `outputs.prometheus_client`.
        case telegraf
    }

    /// Per-real-server series; off cuts cardinality on big nodes.
    public var includeDestinations: Bool
    /// The `_per_second` rate estimates; off cuts cardinality on big nodes.
    public var includeRates: Bool
    public var compatibility: Compatibility?
    /// A named service's name as a `service_name` label on each of its series, besides
    /// `ipvs_service_name_info` (a name that changes then starts new series).
    public var nameLabel: Bool

    public init(
        includeDestinations: Bool = true, includeRates: Bool = true, compatibility: Compatibility? = nil,
        nameLabel: Bool = false
    ) {
        self.includeDestinations = includeDestinations
        self.includeRates = includeRates
        self.compatibility = compatibility
        self.nameLabel = nameLabel
    }
}
