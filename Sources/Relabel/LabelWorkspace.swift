import Exposition

/// The label set while rules run, kept sorted bytewise by name like ``Labels`` and
/// without empty values (setting a label to "" removes it, as in Prometheus' label
/// builder). It shares the input's storage until a rule changes something.
struct LabelWorkspace {
    private(set) var pairs: [Label]
    private(set) var changed = false

    init(_ labels: Labels) {
        let input = labels.pairs
        if input.contains(where: { $0.value.isEmpty }) {
            pairs = input.filter { !$0.value.isEmpty }
            changed = true
        } else {
            pairs = input
        }
    }

    /// The value of `name`, "" when absent.
    func value(_ name: String) -> String {
        for label in pairs where Bytes.equal(label.name, name) { return label.value }
        return ""
    }

    /// Sets `name` to `value`; an empty value removes the label.
    mutating func set(_ name: String, _ value: String) {
        guard !value.isEmpty else {
            remove(name)
            return
        }
        let position = insertionPoint(name)
        if position < pairs.count && Bytes.equal(pairs[position].name, name) {
            guard !Bytes.equal(pairs[position].value, value) else { return }
            pairs[position].value = value
        } else {
            pairs.insert(Label(name, value), at: position)
        }
        changed = true
    }

    mutating func remove(_ name: String) {
        let position = insertionPoint(name)
        guard position < pairs.count && Bytes.equal(pairs[position].name, name) else { return }
        pairs.remove(at: position)
        changed = true
    }

    /// Removes the labels `shouldRemove` picks, asking it once per label.
    mutating func removeAll(where shouldRemove: (Label) -> Bool) {
        guard let first = pairs.firstIndex(where: shouldRemove) else { return }
        var kept = Array(pairs[..<first])
        kept.reserveCapacity(pairs.count - 1)
        for label in pairs[(first + 1)...] where !shouldRemove(label) { kept.append(label) }
        pairs = kept
        changed = true
    }

    /// The index of the first label whose name is not bytewise less than `name`.
    private func insertionPoint(_ name: String) -> Int {
        var low = 0
        var high = pairs.count
        while low < high {
            let middle = (low + high) / 2
            if Labels.bytewiseLess(pairs[middle].name, name) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }
}
