import Exposition

/// Applies a list of relabel rules to label sets, as Prometheus applies
/// `write_relabel_configs` to each series before sending it: in order, each rule on the
/// previous one's result, a keep/drop rule that rejects the series ending it.
///
/// Made once from the configured rules (which are checked and compiled then) and shared
/// freely: it holds no mutable state. Rules that do not change a label set cost no
/// copy of it; regexes of the common shapes (literals, `prefix.*`) are matched without a
/// regex engine.
public struct Relabeler: Sendable {
    /// The rules, as given.
    public let rules: [RelabelRule]
    private let compiled: [CompiledRule]

    /// Checks and compiles `rules`; the error names the rule by its 1-based position.
    public init(_ rules: [RelabelRule]) throws(RelabelError) {
        var compiled: [CompiledRule] = []
        compiled.reserveCapacity(rules.count)
        for (position, rule) in rules.enumerated() {
            do {
                compiled.append(try CompiledRule(rule))
            } catch {
                var located = error
                located.rule = position + 1
                throw located
            }
        }
        self.rules = rules
        self.compiled = compiled
    }

    /// Whether there are no rules (every label set passes unchanged).
    public var isEmpty: Bool { compiled.isEmpty }

    /// The relabeled label set, or nil when a rule drops the series or no label is
    /// left. `labels` is the series' full set, its metric name under `__name__`.
    ///
    /// Labels with empty values are absent, as in Prometheus: they are removed from the
    /// input, and a rule that sets a label to "" removes it.
    public func process(_ labels: Labels) -> Labels? {
        var workspace = LabelWorkspace(labels)
        for rule in compiled where !rule.apply(to: &workspace) { return nil }
        if workspace.pairs.isEmpty { return nil }
        return workspace.changed ? Labels(presorted: workspace.pairs) : labels
    }
}
