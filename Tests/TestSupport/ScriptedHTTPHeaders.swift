/// Header fields in their order on the wire, with their names as sent, looked up
/// case-insensitively: what a test reads from a recorded request, and what it scripts
/// into an answer (`["Retry-After": "1"]`, order kept).
public struct ScriptedHTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of the field `name`, whatever the case of either.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    /// Adds a field unless one of that name is there already.
    public mutating func addIfAbsent(_ name: String, _ value: String) {
        if self[name] == nil { fields.append((name: name, value: value)) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}
