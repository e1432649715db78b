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
        var text: [UInt8] = []
        ExpositionRenderer.render(stripped > 0 ? cleaned : families, format: .prometheus, into: &text)
        self.text = text
        self.strippedTimestamps = stripped
    }
}
