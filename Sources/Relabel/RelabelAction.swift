/// What a relabel rule does: Prometheus' `action` values, with the same names.
///
/// The first five are the classic ones; the others came with later Prometheus versions
/// (`lowercase`/`uppercase` 2.36, `keepequal`/`dropequal` 2.41).
public enum RelabelAction: String, Sendable, Hashable, CaseIterable {
    /// Matches `regex` against the joined source values and, on a match, sets
    /// `target_label` to the expanded `replacement` (an empty result removes it).
    case replace
    /// Drops the series unless `regex` matches the joined source values.
    case keep
    /// Drops the series if `regex` matches the joined source values.
    case drop
    /// Drops the series unless the joined source values equal `target_label`'s value.
    case keepEqual = "keepequal"
    /// Drops the series if the joined source values equal `target_label`'s value.
    case dropEqual = "dropequal"
    /// Sets `target_label` to the MD5 of the joined source values modulo `modulus`.
    case hashMod = "hashmod"
    /// Copies every label whose name matches `regex` to the name `replacement` expands to.
    case labelMap = "labelmap"
    /// Removes every label whose name matches `regex`.
    case labelDrop = "labeldrop"
    /// Removes every label whose name does not match `regex`.
    case labelKeep = "labelkeep"
    /// Sets `target_label` to the joined source values in lower case.
    case lowercase
    /// Sets `target_label` to the joined source values in upper case.
    case uppercase

    /// The action named `name`, ignoring case as Prometheus does (`Replace`, `LABELDROP`).
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }
}
