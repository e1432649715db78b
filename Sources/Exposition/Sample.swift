/// One sample: a full sample name (a histogram's `_bucket`, `_sum` and `_count`
/// samples all belong to one family), its labels, its value and an optional timestamp.
public struct Sample: Sendable, Hashable {
    public var name: String
    public var labels: Labels
    public var value: Double
    /// Milliseconds since the Unix epoch, when the sample carries its own time.
    public var timestampMilliseconds: Int64?

    public init(name: String, labels: Labels, value: Double, timestampMilliseconds: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// Equality that treats two NaNs with the same bit pattern as equal, so stale
    /// markers and parsed `NaN` compare as the same value.
    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.name == rhs.name && lhs.labels == rhs.labels
            && lhs.value.bitPattern == rhs.value.bitPattern
            && lhs.timestampMilliseconds == rhs.timestampMilliseconds
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(labels)
        hasher.combine(value.bitPattern)
        hasher.combine(timestampMilliseconds)
    }
}
