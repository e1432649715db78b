/// A metric declared once, as client libraries declare theirs: name, type and help (and
/// unit). Families are made from the descriptor, so these never differ between the
/// places that report the metric, and code that needs a value asks the owner for it
/// instead of reading a rendered family back by name.
public struct MetricDescriptor: Sendable, Hashable {
    public let name: String
    public let type: MetricType
    public let help: String
    public let unit: String?

    public init(_ name: String, _ type: MetricType, help: String, unit: String? = nil) {
        self.name = name
        self.type = type
        self.help = help
        self.unit = unit
    }

    /// The family with one sample per (labels, value).
    public func family(_ samples: [(labels: Labels, value: Double)]) -> MetricFamily {
        var family = MetricFamily(name: name, type: type, help: help, unit: unit)
        family.samples.reserveCapacity(samples.count)
        for (labels, value) in samples { family.add(labels, value) }
        return family
    }

    /// The family with a single sample.
    public func family(_ labels: Labels, _ value: Double) -> MetricFamily {
        family([(labels, value)])
    }

    /// The family with a single sample without labels.
    public func family(_ value: Double) -> MetricFamily {
        family([(Labels.empty, value)])
    }
}
