/// A relabel rule that cannot be used, with the rule's position, its action, the field
/// at fault (as the YAML configuration spells it) and what to change.
///
/// `description` reads `relabel rule 2 (labeldrop): <message>`; a configuration reader
/// can put the file and the list's name in front of it.
public struct RelabelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based position of the rule in its list, nil when a rule was checked alone.
    public var rule: Int?
    public var action: RelabelAction
    /// `source_labels`, `separator`, `regex`, `modulus`, `target_label` or `replacement`.
    public var field: String
    /// What is wrong and what to do about it.
    public var message: String

    public init(rule: Int? = nil, action: RelabelAction, field: String, message: String) {
        self.rule = rule
        self.action = action
        self.field = field
        self.message = message
    }

    public var description: String {
        let position = rule.map { "relabel rule \($0)" } ?? "relabel rule"
        return "\(position) (\(action.rawValue)): \(message)"
    }
}
