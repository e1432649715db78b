/// One relabel rule, Prometheus' `relabel_config` (used in `write_relabel_configs` and
/// `metric_relabel_configs`), with the same fields, defaults and meaning:
/// https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
///
/// The values of `sourceLabels` are joined with `separator`; `regex` must match all of
/// the joined text (it is anchored at both ends); `replacement` and a replace rule's
/// `targetLabel` may refer to the regex's groups (`$1`, `${1}`, `$name`, `${name}`, see
/// ``RelabelRegex`` for the regex syntax and ``ReplacementTemplate`` for references).
///
/// A rule is checked when a ``Relabeler`` is made from it (or by ``validate()``).
public struct RelabelRule: Sendable, Hashable {
    public static let defaultSeparator = ";"
    public static let defaultRegex = "(.*)"
    public static let defaultReplacement = "$1"

    public var action: RelabelAction
    /// The labels whose values are joined (missing labels count as "").
    public var sourceLabels: [String]
    public var separator: String
    /// An RE2 regular expression, anchored at both ends.
    public var regex: String
    /// The divisor of the hashmod action; must be above 0 for it.
    public var modulus: UInt64
    /// The label that replace, hashmod, lowercase and uppercase write, and that
    /// keepequal and dropequal compare with.
    public var targetLabel: String
    /// What replace writes and what labelmap names the copies.
    public var replacement: String

    public init(
        action: RelabelAction = .replace,
        sourceLabels: [String] = [],
        separator: String = RelabelRule.defaultSeparator,
        regex: String = RelabelRule.defaultRegex,
        modulus: UInt64 = 0,
        targetLabel: String = "",
        replacement: String = RelabelRule.defaultReplacement
    ) {
        self.action = action
        self.sourceLabels = sourceLabels
        self.separator = separator
        self.regex = regex
        self.modulus = modulus
        self.targetLabel = targetLabel
        self.replacement = replacement
    }

    /// Checks the rule as Prometheus does when it loads a configuration, and compiles
    /// its regex. The error names the field and says what to change.
    public func validate() throws(RelabelError) {
        _ = try CompiledRule(self)
    }

    /// The field checks, in Prometheus' order; the regex is checked when compiled.
    func checkFields() throws(RelabelError) {
        func failure(_ field: String, _ message: String) -> RelabelError {
            RelabelError(action: action, field: field, message: message)
        }
        let nameRule = "use letters, digits and underscores, not starting with a digit"
        let templateRule =
            "use letters, digits, underscores and $1, ${1}, $name or ${name} references, not starting with a digit"
        for name in sourceLabels where !LabelNameSyntax.isValidName(name) {
            throw failure(
                "source_labels", "source_labels has \"\(name)\", which is not a valid label name: \(nameRule)")
        }
        if action == .hashMod && modulus == 0 {
            throw failure("modulus", "modulus must be greater than 0 for the hashmod action")
        }
        let writesTarget: Set<RelabelAction> = [.replace, .hashMod, .lowercase, .uppercase, .keepEqual, .dropEqual]
        if writesTarget.contains(action) && targetLabel.isEmpty {
            throw failure("target_label", "target_label is required for the \(action.rawValue) action")
        }
        if action == .replace {
            if targetLabel.contains("$") {
                if !LabelNameSyntax.isValidNameTemplate(targetLabel) {
                    throw failure(
                        "target_label",
                        "target_label \"\(targetLabel)\" is not a valid label name template: \(templateRule)")
                }
            } else if !LabelNameSyntax.isValidName(targetLabel) {
                throw failure("target_label", "target_label \"\(targetLabel)\" is not a valid label name: \(nameRule)")
            }
        }
        if writesTarget.contains(action) && action != .replace && !LabelNameSyntax.isValidName(targetLabel) {
            throw failure("target_label", "target_label \"\(targetLabel)\" is not a valid label name: \(nameRule)")
        }
        let fixedReplacement: Set<RelabelAction> = [.lowercase, .uppercase, .keepEqual, .dropEqual]
        if fixedReplacement.contains(action) && replacement != Self.defaultReplacement {
            throw failure("replacement", "replacement cannot be set for the \(action.rawValue) action")
        }
        if action == .labelMap && !LabelNameSyntax.isValidNameTemplate(replacement) {
            throw failure(
                "replacement", "replacement \"\(replacement)\" is not a valid label name template: \(templateRule)")
        }
        if action == .keepEqual || action == .dropEqual {
            try onlyFields(["source_labels", "target_label"], failure: failure)
        }
        if action == .labelDrop || action == .labelKeep {
            try onlyFields(["regex"], failure: failure)
        }
    }

    /// Rejects every field outside `allowed` that differs from its default, naming them all.
    private func onlyFields(_ allowed: Set<String>, failure: (String, String) -> RelabelError) throws(RelabelError) {
        let present: [(String, Bool)] = [
            ("source_labels", !sourceLabels.isEmpty), ("separator", separator != Self.defaultSeparator),
            ("regex", regex != Self.defaultRegex), ("modulus", modulus != 0), ("target_label", !targetLabel.isEmpty),
            ("replacement", replacement != Self.defaultReplacement),
        ]
        let extra = present.filter { $0.1 && !allowed.contains($0.0) }.map(\.0)
        guard let first = extra.first else { return }
        let allowedText = ["source_labels", "regex", "target_label"].filter(allowed.contains).joined(separator: " and ")
        throw failure(
            first, "the \(action.rawValue) action takes only \(allowedText); remove \(extra.joined(separator: ", "))")
    }
}
