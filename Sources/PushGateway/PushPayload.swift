import Exposition

/// The body of a push: families checked against the grouping key, timestamps removed,
/// rendered as Prometheus text 0.0.4.
public struct PushPayload: Sendable {
    /// The rendered text.
    public var text: [UInt8]
    /// How many samples had a timestamp that was removed.
    public var strippedTimestamps: Int

    /// Checks and renders `families` for `group`. Throws `clashingLabel` naming the
    /// first metric that carries `job` or a grouping label.
    public init(_ families: [MetricFamily], group: GroupingKey) throws(PushGatewayError) {
        let forbidden = group.labelNames
        var stripped = 0
        var cleaned = families
        for familyIndex in cleaned.indices {
            for sampleIndex in cleaned[familyIndex].samples.indices {
                let sample = cleaned[familyIndex].samples[sampleIndex]
                if let clash = sample.labels.first(where: { forbidden.contains($0.name) }) {
                    throw .clashingLabel(metric: sample.name, label: clash.name)
                }
                if sample.timestampMilliseconds != nil {
                    cleaned[familyIndex].samples[sampleIndex].timestampMilliseconds = nil
                    stripped += 1
                }
            }
        }
        if stripped > 0 { Self.keepLatestPoints(&cleaned) }
        var text: [UInt8] = []
        ExpositionRenderer.render(stripped > 0 ? cleaned : families, format: .prometheus, into: &text)
        self.text = text
        self.strippedTimestamps = stripped
    }

    /// An OpenMetrics series with several MetricPoints (increasing timestamps) would be
    /// the same series several times once the timestamps are gone, which the gateway
    /// refuses: only the last, newest, point of each series is kept.
    private static func keepLatestPoints(_ families: inout [MetricFamily]) {
        for index in families.indices {
            var seen = Set<SeriesIdentity>()
            guard families[index].samples.contains(where: { !seen.insert(SeriesIdentity($0)).inserted }) else {
                continue
            }
            seen.removeAll()
            var kept: [Sample] = []
            for sample in families[index].samples.reversed() where seen.insert(SeriesIdentity(sample)).inserted {
                kept.append(sample)
            }
            families[index].samples = kept.reversed()
        }
    }

    private struct SeriesIdentity: Hashable {
        var name: String
        var labels: Labels

        init(_ sample: Sample) {
            name = sample.name
            labels = sample.labels
        }
    }
}
