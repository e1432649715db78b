import Exposition

/// One series the dump must contain, derived from ipvsadm.
struct ExpectedSeries: Sendable, Hashable {
    var name: String
    var labels: Labels
    var value: ExpectedValue
    /// The ipvsadm object it comes from, for messages.
    var origin: String

    var key: SeriesKey { SeriesKey(name: name, labels: labels) }
}

/// A series' identity: metric name and full label set.
struct SeriesKey: Sendable, Hashable, CustomStringConvertible {
    var name: String
    var labels: Labels

    var description: String {
        "\(name){" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }
}
