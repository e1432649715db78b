import Exposition

/// What identifies a series from one collection to the next: its sample name and
/// labels as the collector made them (external labels and `__name__` are the same for
/// all, so they are left out of the key).
struct SeriesKey: Hashable {
    var name: String
    var labels: Labels
}
