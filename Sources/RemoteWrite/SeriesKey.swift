import Exposition

/// What identifies a series from one collection to the next: its sample name and
/// labels as the collector made them (external labels and `__name__` are the same for
/// all, so they are left out of the key).
///
/// The 64-bit hash is computed once, by ``SeriesHash`` over the UTF-8 bytes, and serves
/// as the dictionary's hash (cheaper than hashing every string through `Hasher`) and as a
/// fast inequality check. (Shards are dealt by order of appearance, not by this hash:
/// see `CollectionEncoder.nextShard()`.)
struct SeriesKey: Hashable {
    let name: String
    let labels: Labels
    let hash: UInt64

    init(name: String, labels: Labels) {
        self.name = name
        self.labels = labels
        var hasher = SeriesHash()
        hasher.add(name)
        labels.pairs.withUnsafeBufferPointer { pairs in
            for pair in pairs {
                hasher.add(pair.name)
                hasher.add(pair.value)
            }
        }
        hash = hasher.value
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(hash)
    }

    static func == (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        lhs.hash == rhs.hash && lhs.name == rhs.name && lhs.labels == rhs.labels
    }
}
