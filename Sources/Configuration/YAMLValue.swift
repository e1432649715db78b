import Yams

/// A node of a YAML file being read, with its path (`remote_write[0].queue_config`)
/// for messages. The typed accessors record a problem at the node's position and
/// return nil when the node is not what the key needs.
public struct YAMLValue {
    let node: Node
    /// Where the node is in the document, as keys and indexes: `serve.listen_address`.
    public let path: String
    let reader: YAMLReader

    init(node: Node, path: String, reader: YAMLReader) {
        self.node = node
        self.path = path
        self.reader = reader
    }

    /// The position as `LINE:COLUMN`.
    public var mark: Mark? { node.mark }

    /// Records a problem about this value (used for checks across several keys).
    public func problem(_ message: String) {
        reader.record(message, at: node.mark)
    }

    private var kind: String {
        switch node {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar(let scalar):
            switch node.tagName {
            case .null: "empty"
            case .bool: "a boolean"
            case .int: "a number"
            case .float: "a number"
            default: "text \"\(scalar.string)\""
            }
        case .alias: "an alias"
        }
    }

    private var isNull: Bool {
        if case .scalar = node, node.tagName == .null { return true }
        return false
    }

    private func wrongType(_ expected: String) {
        let name = path.isEmpty ? "the document" : path
        problem("\(name) must be \(expected), not \(kind)")
    }

    /// The value as a mapping whose keys are all in `known`. Unknown keys are recorded
    /// (with the nearest known key when one is close), the known ones are returned.
    public func mapping(known: [String]) -> YAMLMapping? {
        guard case .mapping(let mapping) = node else {
            wrongType("a mapping of keys to values")
            return nil
        }
        var entries: [(key: String, keyMark: Mark?, value: YAMLValue)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                reader.record("\(path.isEmpty ? "the document" : path) has a key that is not text", at: keyNode.mark)
                continue
            }
            let key = keyScalar.string
            guard known.contains(key) else {
                var message = "unknown key \"\(key)\"" + (path.isEmpty ? "" : " in \(path)")
                if let near = Self.nearest(key, in: known) {
                    message += ": did you mean \"\(near)\"?"
                } else {
                    message += " (known keys: \(known.joined(separator: ", ")))"
                }
                reader.record(message, at: keyNode.mark)
                continue
            }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            entries.append((key, keyNode.mark, YAMLValue(node: valueNode, path: childPath, reader: reader)))
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    /// The value of `key` when this is a mapping that has it, unchecked: for pointing a
    /// problem found after reading at the place it concerns.
    func child(_ key: String) -> YAMLValue? {
        guard case .mapping(let mapping) = node else { return nil }
        for (keyNode, valueNode) in mapping {
            if case .scalar(let scalar) = keyNode, scalar.string == key {
                return YAMLValue(node: valueNode, path: path.isEmpty ? key : "\(path).\(key)", reader: reader)
            }
        }
        return nil
    }

    /// The items of a list; an empty value is an empty list.
    public func list() -> [YAMLValue]? {
        if isNull { return [] }
        guard case .sequence(let sequence) = node else {
            if case .mapping = node {
                let name = path.isEmpty ? "the document" : path
                problem("\(name) must be a list, not a mapping: start each entry with \"- \"")
            } else {
                wrongType("a list")
            }
            return nil
        }
        return sequence.enumerated().map { YAMLValue(node: $1, path: "\(path)[\($0)]", reader: reader) }
    }

    /// Any scalar, as its text (`8080` and `"8080"` alike, as Prometheus reads them).
    public func string() -> String? {
        guard case .scalar(let scalar) = node, node.tagName != .null else {
            wrongType("a text value")
            return nil
        }
        return scalar.string
    }

    /// A text value that is not empty.
    public func nonEmptyString() -> String? {
        guard let text = string() else { return nil }
        guard !text.isEmpty else {
            problem("\(path) must not be empty")
            return nil
        }
        return text
    }

    /// `true` or `false`.
    public func bool() -> Bool? {
        guard case .scalar(let scalar) = node, node.tagName == .bool || ["true", "false"].contains(scalar.string),
            let value = node.bool
        else {
            wrongType("true or false")
            return nil
        }
        return value
    }

    /// A whole number within `range`.
    public func int(in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            wrongType("a whole number")
            return nil
        }
        guard range.contains(value) else {
            problem("\(path) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
            return nil
        }
        return value
    }

    /// A Prometheus duration (`30s`, `1m30s`, `500ms`, `2h`), at least `minimum`.
    public func duration(minimum: Duration = .zero) -> PrometheusDuration? {
        guard let text = string() else { return nil }
        guard let value = PrometheusDuration(text) else {
            problem(
                "\(path): \"\(text)\" is not a duration: write a number with a unit (ms, s, m, h, d, w, y), e.g. 30s or 1m30s"
            )
            return nil
        }
        guard value.duration >= minimum else {
            problem("\(path) must be at least \(PrometheusDuration.format(minimum)), not \(text)")
            return nil
        }
        return value
    }

    /// A size in bytes: `1048576`, `512KiB`, `256MiB`, `1GiB`, at least `minimum`.
    public func byteCount(minimum: Int = 0) -> ByteCount? {
        guard let text = string() else { return nil }
        guard let value = ByteCount(text) else {
            problem("\(path): \"\(text)\" is not a size: write bytes or a number with KiB, MiB or GiB, e.g. 256MiB")
            return nil
        }
        guard value.bytes >= minimum else {
            problem("\(path) must be at least \(minimum) bytes, not \(text)")
            return nil
        }
        return value
    }

    /// One of the raw values of `T`.
    public func choice<T: RawRepresentable & CaseIterable>(_: T.Type) -> T? where T.RawValue == String {
        guard let text = string() else { return nil }
        guard let value = T(rawValue: text) else {
            problem("\(path): \"\(text)\" is not one of \(T.allCases.map { "\($0.rawValue)" }.joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// A list of text values.
    public func stringList() -> [String]? {
        guard let items = list() else { return nil }
        let values = items.map { $0.string() }
        return values.contains(where: { $0 == nil }) ? nil : values.map { $0! }
    }

    /// A mapping of text to text, in file order (`headers`, `external_labels`).
    public func stringMap() -> [(key: String, value: String)]? {
        stringEntries()?.map { ($0.key, $0.value) }
    }

    /// A mapping of text to text, in file order, each pair with its key's node so that a
    /// problem with one name is reported where that name is written.
    public func stringEntries() -> [(key: String, value: String, keyValue: YAMLValue)]? {
        if isNull { return [] }
        guard case .mapping(let mapping) = node else {
            wrongType("a mapping of names to values")
            return nil
        }
        var entries: [(key: String, value: String, keyValue: YAMLValue)] = []
        var failed = false
        for (keyNode, valueNode) in mapping {
            let keyValue = YAMLValue(node: keyNode, path: "\(path) key", reader: reader)
            let key = keyValue.string()
            let value = YAMLValue(node: valueNode, path: "\(path).\(key ?? "?")", reader: reader).string()
            if let key, let value { entries.append((key, value, keyValue)) } else { failed = true }
        }
        return failed ? nil : entries
    }

    /// The known key within edit distance 2 of `key` (1 for keys shorter than 6
    /// characters, where 2 edits make another word), if exactly one is nearest.
    static func nearest(_ key: String, in known: [String]) -> String? {
        let limit = key.count < 6 ? 1 : 2
        let scored = known.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= limit }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return scored.filter { $0.1 == best.1 }.count == 1 ? best.0 : nil
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Node {
    /// The resolved tag's name (`Tag.name` itself is internal to Yams).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }
}
