import Exposition

/// Compares a parsed `ipvs-push dump` with ipvsadm's view of every namespace: every series
/// ipvsadm implies must be there with ipvsadm's number, and every series in the dump must
/// come from an ipvsadm object (or be one of the per-namespace bookkeeping series).
struct DumpComparison {
    var truths: [NamespaceTruth]

    /// Per-namespace series whose value is not an ipvsadm number: checked for presence and range.
    static let bookkeeping: Set<String> = ["ipvs_collect_duration_seconds", "ipvs_netlink_malformed_messages_total"]

    /// One message per difference; empty when the dump matches.
    func problems(in dump: ParsedExposition) throws -> [String] {
        var expected: [SeriesKey: ExpectedSeries] = [:]
        var problems: [String] = []
        for truth in truths {
            for series in try truth.objectSeries() + truth.namespaceSeries {
                if expected.updateValue(series, forKey: series.key) != nil {
                    problems.append("two ipvsadm objects give the same series \(series.key) (\(series.origin))")
                }
            }
        }
        let paths = Set(truths.map(\.path))
        var seen: Set<SeriesKey> = []
        var bookkeepingSeen: Set<SeriesKey> = []
        for family in dump.families {
            let wanted: MetricType = family.name.hasSuffix("_total") ? .counter : .gauge
            if family.type != wanted {
                problems.append("family \(family.name) has type \(family.type), the contract says \(wanted)")
            }
            for sample in family.samples {
                let key = SeriesKey(name: sample.name, labels: sample.labels)
                if Self.bookkeeping.contains(sample.name) {
                    guard sample.labels.count == 1, let path = sample.labels["namespace"], paths.contains(path) else {
                        problems.append("unexpected series \(key): labels must be exactly a known namespace")
                        continue
                    }
                    bookkeepingSeen.insert(key)
                    let inRange =
                        sample.name == "ipvs_collect_duration_seconds"
                        ? sample.value >= 0 && sample.value < 60 : sample.value == 0
                    if !inRange { problems.append("\(key) = \(sample.value) is out of range") }
                    continue
                }
                guard let series = expected[key] else {
                    problems.append("unexpected series \(key) = \(sample.value): no ipvsadm object gives it")
                    continue
                }
                seen.insert(key)
                if !series.value.accepts(sample.value) {
                    problems.append("\(key) = \(sample.value), ipvsadm says \(series.value) (\(series.origin))")
                }
            }
        }
        for (key, series) in expected where !seen.contains(key) {
            problems.append("missing series \(key) (ipvsadm: \(series.value), \(series.origin))")
        }
        for path in paths {
            let key = SeriesKey(name: "ipvs_collect_duration_seconds", labels: Labels(["namespace": path]))
            if !bookkeepingSeen.contains(key) { problems.append("missing series \(key)") }
        }
        return problems.sorted()
    }
}
