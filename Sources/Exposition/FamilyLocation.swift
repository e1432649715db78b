/// The lines of a parsed family in its document: the family's own (its `# TYPE` line,
/// else `# HELP`, else its first sample) and each sample's.
public struct FamilyLocation: Sendable, Hashable {
    public var firstLine: Int
    /// The line of each sample, in the order of ``MetricFamily/samples``.
    public var sampleLines: [Int]

    public init(firstLine: Int, sampleLines: [Int]) {
        self.firstLine = firstLine
        self.sampleLines = sampleLines
    }
}
