/// A checked rule with its regex compiled and its templates parsed, ready to run on
/// many label sets. A class, so that running a list of them copies no fields.
final class CompiledRule: Sendable {
    let action: RelabelAction
    private let sourceLabels: [String]
    private let separator: String
    private let regex: RelabelRegex
    private let targetLabel: String
    private let targetTemplate: ReplacementTemplate
    private let replacement: ReplacementTemplate
    private let modulus: UInt64
    /// For the actions that match label names with the regex engine.
    private let nameMatches: NameMatchCache?

    init(_ rule: RelabelRule) throws(RelabelError) {
        try rule.checkFields()
        action = rule.action
        sourceLabels = rule.sourceLabels
        separator = rule.separator
        do {
            regex = try RelabelRegex(rule.regex)
        } catch {
            throw RelabelError(
                action: rule.action, field: "regex", message: "regex \"\(rule.regex)\" is not valid: \(error.message)")
        }
        targetLabel = rule.targetLabel
        targetTemplate = ReplacementTemplate(rule.targetLabel)
        replacement = ReplacementTemplate(rule.replacement)
        modulus = rule.modulus
        let matchesNames: Set<RelabelAction> = [.labelDrop, .labelKeep, .labelMap]
        nameMatches = matchesNames.contains(rule.action) && !regex.isSimple ? NameMatchCache() : nil
    }

    /// Applies the rule; false means the series is dropped.
    func apply(to labels: inout LabelWorkspace) -> Bool {
        switch action {
        case .drop:
            return !regex.matches(sourceValue(labels))
        case .keep:
            return regex.matches(sourceValue(labels))
        case .dropEqual:
            return !Bytes.equal(labels.value(targetLabel), sourceValue(labels))
        case .keepEqual:
            return Bytes.equal(labels.value(targetLabel), sourceValue(labels))
        case .replace:
            replace(&labels)
        case .lowercase:
            labels.set(targetLabel, CaseMapping.lowercase(sourceValue(labels)))
        case .uppercase:
            labels.set(targetLabel, CaseMapping.uppercase(sourceValue(labels)))
        case .hashMod:
            let digest = MD5.digest(sourceValue(labels).utf8)
            let tail = digest[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            labels.set(targetLabel, String(tail % modulus))
        case .labelMap:
            for label in labels.pairs where matchesName(label.name) {
                let name: String
                if let constant = replacement.constant {
                    name = constant
                } else if let match = regex.match(label.name) {
                    name = replacement.expand(match)
                } else {
                    continue
                }
                if !name.isEmpty { labels.set(name, label.value) }
            }
        case .labelDrop:
            labels.removeAll { matchesName($0.name) }
        case .labelKeep:
            labels.removeAll { !matchesName($0.name) }
        }
        return true
    }

    /// On a match, writes the expanded replacement to the expanded target (an empty
    /// replacement removes it; a target that is not a valid label name is skipped).
    private func replace(_ labels: inout LabelWorkspace) {
        let value = sourceValue(labels)
        if let target = targetTemplate.constant, let constant = replacement.constant {
            if regex.matches(value) { labels.set(target, constant) }
            return
        }
        guard let match = regex.match(value) else { return }
        let target = targetTemplate.expand(match)
        guard LabelNameSyntax.isValidName(target) else { return }
        labels.set(target, replacement.expand(match))
    }

    private func matchesName(_ name: String) -> Bool {
        nameMatches?.matches(name, regex) ?? regex.matches(name)
    }

    /// The source labels' values joined by the separator.
    private func sourceValue(_ labels: LabelWorkspace) -> String {
        switch sourceLabels.count {
        case 0: return ""
        case 1: return labels.value(sourceLabels[0])
        default: return sourceLabels.map { labels.value($0) }.joined(separator: separator)
        }
    }
}
