extension DocumentParser {
    // MARK: Values and labels by role

    /// The checks a sample's value and its `le`/`quantile` label get from its role and
    /// family type.
    ///
    /// Text format, as the Pushgateway stores it: bucket and count values become unsigned
    /// integers there, so they must be whole numbers from 0 to 2^64 (1.5 would be stored
    /// as 1); `le` and `quantile` are dropped from `_sum` and `_count`, so they may not be
    /// there; two buckets (or quantiles) with the same number would both be kept.
    ///
    /// OpenMetrics, the specification's MUST rules: counter totals not NaN nor negative;
    /// histogram and gaugehistogram buckets in increasing `le` order, cumulative, whole,
    /// not negative, with exemplars inside their bucket; sums and counts of histograms and
    /// summaries not NaN nor negative (a gaugehistogram's `_gsum` may be negative),
    /// counts whole; quantiles between 0 and 1 with values not negative; stateset values
    /// 0 or 1 with the label named after the family; info values 1.
    mutating func checkValue(
        _ value: Double, role: SampleRole, nameIndex: Int, labels: Labels, metric: Labels, exemplar: Double?
    ) throws(ExpositionParseError) {
        let kind = family.kind
        switch role {
        case .bucket:
            try checkBucket(value, labels: labels, metric: metric, nameIndex: nameIndex, exemplar: exemplar)
        case .quantile:
            try checkQuantile(value, labels: labels, metric: metric, nameIndex: nameIndex)
        case .sum, .count, .created:
            let bound = kind == .summary ? "quantile" : "le"
            if kind != .counter, labels[bound] != nil {
                throw failure(
                    "\(Self.seriesText(family.sampleNames[nameIndex].name, labels)) has an \"\(bound)\" label: only "
                        + "\(kind == .summary ? "the quantile samples of a summary" : "buckets") have one"
                        + (openMetrics ? "" : " (the Pushgateway would drop it)") + "; remove it")
            }
            if role == .count {
                try checkCount(value, what: "the count", nameIndex: nameIndex, labels: labels)
                if openMetrics {
                    family.point?.count = value
                    family.point?.countLine = line
                }
            } else if role == .sum && openMetrics {
                let mayBeNegative = kind == .gaugeHistogram
                if value.isNaN || (!mayBeNegative && value < 0) {
                    throw failure(
                        "\(Self.seriesText(family.sampleNames[nameIndex].name, labels)) is \(describeValue(value)): "
                            + "OpenMetrics \(kind.word(openMetrics: true)) sums are "
                            + (mayBeNegative ? "not NaN" : "neither NaN nor negative"))
                }
                family.point?.sumLine = line
            }
        case .total:
            if value.isNaN || value < 0 {
                throw failure(
                    "counter \(Self.seriesText(family.sampleNames[nameIndex].name, labels)) is \(describeValue(value)): "
                        + "OpenMetrics counters count up from 0 and are neither NaN nor negative")
            }
        case .plain:
            guard openMetrics else { return }
            if kind == .stateset {
                guard labels[family.name] != nil else {
                    throw failure(
                        "stateset sample \(Self.seriesText(family.name, labels)) has no label \"\(family.name)\": each "
                            + "state's sample carries the state as the value of a label named like the family")
                }
                guard value == 0 || value == 1 else {
                    throw failure(
                        "stateset sample \(Self.seriesText(family.name, labels)) is \(describeValue(value)): a state "
                            + "is 1 (true) or 0 (false)")
                }
            } else if kind == .info && value != 1 {
                throw failure(
                    "info sample \(Self.seriesText(family.sampleNames[nameIndex].name, labels)) is "
                        + "\(describeValue(value)): the value of an info sample is always 1")
            }
        }
    }

    /// A bucket's or count's value: a whole number, not negative; in the text format also
    /// below 2^64, as the Pushgateway stores it in an unsigned 64-bit integer.
    private func checkCount(_ value: Double, what: String, nameIndex: Int, labels: Labels)
        throws(ExpositionParseError)
    {
        let whole = value >= 0 && value == value.rounded(.towardZero)
        let fits = openMetrics ? value.isFinite : value < 18_446_744_073_709_551_616.0
        if whole && fits { return }
        throw failure(
            "\(what) \(Self.seriesText(family.sampleNames[nameIndex].name, labels)) is \(describeValue(value)): "
                + (openMetrics
                    ? "OpenMetrics counts and bucket values are whole numbers, not negative"
                    : "counts and bucket values are whole numbers from 0 to 2^64 (the Pushgateway stores them as "
                        + "unsigned integers and would keep \(describeStored(value)))"))
    }

    private mutating func checkBucket(
        _ value: Double, labels: Labels, metric: Labels, nameIndex: Int, exemplar: Double?
    ) throws(ExpositionParseError) {
        let name = family.sampleNames[nameIndex].name
        guard let bound = labels["le"] else {
            throw failure(
                "histogram bucket \(Self.seriesText(name, labels)) has no \"le\" label: every bucket needs one")
        }
        guard let upper = parseNumber(bound), !upper.isNaN else {
            throw failure(
                "histogram bucket \(Self.seriesText(name, labels)) has le=\"\(bound)\": "
                    + "expected a number such as 0.5 or +Inf")
        }
        try checkCount(value, what: "bucket", nameIndex: nameIndex, labels: labels)
        guard openMetrics else {
            try checkUnique(upper, label: "le", labels: labels, metric: metric, name: name)
            return
        }
        guard var point = family.point else { return }
        guard upper > point.lastBound else {
            throw failure(
                upper == point.lastBound
                    ? "second bucket with le=\"\(bound)\" in \(Self.seriesText(name, metric)): bucket thresholds are "
                        + "unique"
                    : "bucket \(Self.seriesText(name, labels)) comes after the bucket with le=\(describeValue(point.lastBound)): "
                        + "OpenMetrics lists buckets in increasing order of \"le\"")
        }
        guard value >= point.lastBucketValue else {
            throw failure(
                "bucket \(Self.seriesText(name, labels)) is \(describeValue(value)), less than the bucket before it "
                    + "(\(describeValue(point.lastBucketValue))): buckets are cumulative, each counts everything the "
                    + "ones before it count")
        }
        if let exemplar {
            guard exemplar <= upper && (point.bucketCount == 0 || exemplar > point.lastBound) else {
                throw failure(
                    "the exemplar of \(Self.seriesText(name, labels)) is \(describeValue(exemplar)), outside the "
                        + "bucket (\(point.bucketCount == 0 ? "-Inf" : describeValue(point.lastBound)), \(bound)]: an "
                        + "exemplar's value lies in its bucket")
            }
        }
        point.lastBound = upper
        point.lastBucketValue = value
        point.bucketCount += 1
        point.lowestBound = min(point.lowestBound, upper)
        if upper == .infinity { point.infinityBucket = value }
        family.point = point
    }

    private mutating func checkQuantile(_ value: Double, labels: Labels, metric: Labels, nameIndex: Int)
        throws(ExpositionParseError)
    {
        let name = family.sampleNames[nameIndex].name
        guard let quantile = labels["quantile"] else {
            throw failure(
                "summary sample \(Self.seriesText(name, labels)) has no \"quantile\" label: the samples named "
                    + "like a summary are its quantiles (the others are \"\(name)_sum\" and \"\(name)_count\")")
        }
        guard let number = parseNumber(quantile), !number.isNaN else {
            throw failure(
                "summary sample \(Self.seriesText(name, labels)) has quantile=\"\(quantile)\": "
                    + "expected a number such as 0.5")
        }
        guard openMetrics else {
            try checkUnique(number, label: "quantile", labels: labels, metric: metric, name: name)
            return
        }
        guard number >= 0 && number <= 1 else {
            throw failure(
                "summary sample \(Self.seriesText(name, labels)) has quantile=\"\(quantile)\": quantiles are "
                    + "between 0 and 1")
        }
        guard !(value < 0) else {
            throw failure(
                "summary sample \(Self.seriesText(name, labels)) is \(describeValue(value)): quantile values are "
                    + "not negative (NaN when there were no observations)")
        }
    }

    /// Text format: `le` (or `quantile`) values of one series are different numbers.
    private mutating func checkUnique(_ number: Double, label: String, labels: Labels, metric: Labels, name: String)
        throws(ExpositionParseError)
    {
        if family.boundsBySeries[metric, default: []].contains(number) {
            throw failure(
                "\(Self.seriesText(name, labels)): \(Self.seriesText(name, metric)) already has \(label) "
                    + "\(describeValue(number)) in another spelling; the Pushgateway would keep both (give each "
                    + "\(label) once)")
        }
        family.boundsBySeries[metric, default: []].append(number)
    }

    // MARK: OpenMetrics MetricPoints

    /// Makes the sample's metric the current one: the same metric continues its point
    /// (``startNextPoint(timestamp:name:labels:)`` starts the next when a series comes
    /// again); another metric finishes this one, which must then not come back.
    mutating func enterPoint(_ metric: Labels, timestamp: Int64?) throws(ExpositionParseError) {
        if let point = family.point, point.metric == metric {
            if point.timestamp == nil && timestamp != nil { family.point?.timestamp = timestamp }
            return
        }
        if let point = family.point {
            try closePoint()
            family.finishedMetrics.insert(point.metric)
        }
        if family.finishedMetrics.contains(metric) {
            throw failure(
                "\(Self.seriesText(family.name, metric)) comes back after other series of \"\(family.name)\": "
                    + "OpenMetrics keeps the samples of each metric together")
        }
        family.point = MetricPoint(metric: metric, timestamp: timestamp, line: line)
        generation += 1
    }

    /// A series of the current point comes again: that starts the metric's next point,
    /// which needs a later timestamp than this one.
    mutating func startNextPoint(timestamp: Int64?, name: String, labels: Labels, firstLine: UInt64)
        throws(ExpositionParseError)
    {
        guard let point = family.point, let timestamp, let previous = point.timestamp else {
            throw failure(
                "duplicate series \(Self.seriesText(name, labels)) (first on line \(firstLine)): each name and label "
                    + "set may appear only once, or once per MetricPoint with increasing timestamps")
        }
        guard timestamp > previous else {
            throw failure(
                "\(Self.seriesText(name, labels)) has the timestamp \(Double(timestamp) / 1000), not after the "
                    + "\(Double(previous) / 1000) of its previous MetricPoint (line \(firstLine)): the points of a "
                    + "metric come in increasing timestamp order")
        }
        try closePoint()
        family.point = MetricPoint(metric: point.metric, timestamp: timestamp, line: line)
        generation += 1
    }

    /// Checks the finished histogram or gaugehistogram point as a whole: at least one
    /// bucket, a `+Inf` bucket, a count if and only if a sum, the count equal to the
    /// `+Inf` bucket, and no sum beside negative thresholds.
    mutating func closePoint() throws(ExpositionParseError) {
        guard let point = family.point else { return }
        family.point = nil
        guard family.kind == .histogram || family.kind == .gaugeHistogram else { return }
        let kindWord = family.kind.word(openMetrics: true)
        let series = Self.seriesText(family.name, point.metric)
        let (countName, sumName) = family.kind == .histogram ? ("_count", "_sum") : ("_gcount", "_gsum")
        func fail(_ line: Int, _ reason: String) -> ExpositionParseError {
            ExpositionParseError(source: source, line: line, reason: reason)
        }
        guard let infinity = point.infinityBucket else {
            throw fail(
                point.line,
                "\(kindWord) \(series) has no bucket with le=\"+Inf\": every \(kindWord) MetricPoint needs one, "
                    + "counting all observations")
        }
        if let count = point.count {
            guard point.sumLine != nil else {
                throw fail(
                    point.countLine,
                    "\(kindWord) \(series) has \(countName) but no \(sumName): OpenMetrics gives both or neither")
            }
            guard count == infinity else {
                throw fail(
                    point.countLine,
                    "\(kindWord) \(series) has \(countName) \(describeValue(count)) but its +Inf bucket is "
                        + "\(describeValue(infinity)): the count is the +Inf bucket's value")
            }
        } else if let sumLine = point.sumLine {
            throw fail(
                sumLine, "\(kindWord) \(series) has \(sumName) but no \(countName): OpenMetrics gives both or neither")
        }
        if family.kind == .histogram, point.lowestBound < 0, let sumLine = point.sumLine {
            throw fail(
                sumLine,
                "histogram \(series) has buckets below 0 and a _sum: OpenMetrics allows negative thresholds only in "
                    + "histograms without a sum (use a gaugehistogram)")
        }
    }

    // MARK: Helpers

    func parseNumber(_ text: String) -> Double? {
        var copy = text
        return copy.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            return NumberText.parseDouble(base, count: bytes.count)
        }
    }

    /// A value as messages show it: `1.5`, `-2`, `NaN`, `+Inf`.
    func describeValue(_ value: Double) -> String {
        var buffer: [UInt8] = []
        NumberText.appendValue(value, into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// What the Pushgateway keeps of a count it converts to an unsigned integer.
    private func describeStored(_ value: Double) -> String {
        if value.isFinite && value >= 0 && value < 18_446_744_073_709_551_616.0 {
            return describeValue(value.rounded(.towardZero))
        }
        return "a meaningless number"
    }
}
