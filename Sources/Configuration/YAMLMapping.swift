import Yams

/// The known keys of a YAML mapping, each with its value. Keys whose value is empty
/// (`key:` with nothing after it) count as absent, as in Prometheus' files.
public struct YAMLMapping {
    let owner: YAMLValue
    let entries: [(key: String, keyMark: Mark?, value: YAMLValue)]

    /// The value of `key`, or nil when the key is absent or empty.
    public subscript(key: String) -> YAMLValue? {
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        if case .scalar = entry.value.node, entry.value.node.tagName == .null { return nil }
        return entry.value
    }

    /// Whether `key` is written at all, even with an empty value (`serve:`).
    public func contains(_ key: String) -> Bool { entries.contains { $0.key == key } }

    /// Whether `key` is present with a value.
    public func has(_ key: String) -> Bool { self[key] != nil }

    /// The value of `key`; records "missing" at the mapping when it is absent.
    public func required(_ key: String) -> YAMLValue? {
        if let value = self[key] { return value }
        owner.problem("\(owner.path.isEmpty ? "the file" : owner.path) needs \"\(key)\"")
        return nil
    }

    /// Records a problem when more than one of `keys` is set (`password` and `password_file`).
    public func atMostOne(of keys: [String]) {
        let present = keys.filter(has)
        if present.count > 1 {
            self[present[1]]?.problem(
                "\(owner.path.isEmpty ? "the file" : owner.path): set only one of \(present.joined(separator: " and "))"
            )
        }
    }
}
