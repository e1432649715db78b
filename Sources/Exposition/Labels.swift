/// The label set of a sample, kept sorted bytewise by name so that every encoder can
/// rely on the order (remote write requires it; the text formats print it).
///
/// A `Labels` value is meant to be shared: all samples of one IPVS service hold the
/// same storage, so building it once per object is enough.
public struct Labels: Sendable, Hashable, RandomAccessCollection {
    public private(set) var pairs: [Label]

    /// Sorts the pairs by name (bytewise). Later duplicates of a name replace earlier ones.
    public init(_ pairs: [Label]) {
        var sorted = pairs.sorted { Labels.bytewiseLess($0.name, $1.name) }
        var deduplicated: [Label] = []
        deduplicated.reserveCapacity(sorted.count)
        for pair in sorted {
            if let last = deduplicated.last, last.name == pair.name {
                deduplicated[deduplicated.count - 1] = pair
            } else {
                deduplicated.append(pair)
            }
        }
        sorted = deduplicated
        self.pairs = sorted
    }

    public init(_ pairs: KeyValuePairs<String, String>) {
        self.init(pairs.map { Label($0.key, $0.value) })
    }

    /// Takes pairs the caller guarantees are already sorted bytewise and unique.
    public init(presorted pairs: [Label]) {
        self.pairs = pairs
    }

    public static let empty = Labels(presorted: [])

    public var startIndex: Int { pairs.startIndex }
    public var endIndex: Int { pairs.endIndex }
    public subscript(position: Int) -> Label { pairs[position] }

    /// The value of the label `name`, if present.
    public subscript(name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// A copy with `label` added, or replacing the pair of the same name.
    public func adding(_ label: Label) -> Labels {
        var copy = pairs
        if let index = copy.firstIndex(where: { $0.name == label.name }) {
            copy[index] = label
            return Labels(presorted: copy)
        }
        let insertAt = copy.firstIndex { Labels.bytewiseLess(label.name, $0.name) } ?? copy.endIndex
        copy.insert(label, at: insertAt)
        return Labels(presorted: copy)
    }

    /// A copy without the label `name`.
    public func removing(_ name: String) -> Labels {
        Labels(presorted: pairs.filter { $0.name != name })
    }

    /// Bytewise (UTF-8) order, the order remote write and the text formats use.
    @inlinable
    public static func bytewiseLess(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
