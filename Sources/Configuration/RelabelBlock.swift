import Relabel

/// A `write_relabel_configs` list, read into the Relabel module's rules; each rule is
/// checked as Prometheus checks it, and a problem is reported at the rule's field.
enum RelabelBlock {
    static let keys = ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"]

    static func read(_ value: YAMLValue) -> [RelabelRule] {
        guard let items = value.list() else { return [] }
        var rules: [RelabelRule] = []
        for item in items {
            guard let fields = item.mapping(known: keys) else { continue }
            var rule = RelabelRule()
            if let field = fields["action"], let name = field.string() {
                if let action = RelabelAction(name: name) {
                    rule.action = action
                } else {
                    field.problem(
                        "\(field.path): \"\(name)\" is not a relabel action: use one of "
                            + RelabelAction.allCases.map(\.rawValue).joined(separator: ", "))
                    continue
                }
            }
            if let field = fields["source_labels"], let labels = field.stringList() { rule.sourceLabels = labels }
            if let field = fields["separator"], let text = field.string() { rule.separator = text }
            if let field = fields["regex"], let text = field.string() { rule.regex = text }
            if let field = fields["modulus"], let number = field.int(in: 0...Int.max) { rule.modulus = UInt64(number) }
            if let field = fields["target_label"], let text = field.string() { rule.targetLabel = text }
            if let field = fields["replacement"], let text = field.string() { rule.replacement = text }
            do {
                try rule.validate()
                rules.append(rule)
            } catch {
                // The rule's own field when it is in the file, else the rule.
                let key = error.field.isEmpty ? nil : fields[error.field]
                (key ?? item).problem("\(item.path): \(error.message)")
            }
        }
        return rules
    }
}
