import TestSupport

/// An exposition file for `send --remote-write`, and what a receiver must store from it:
/// every series with its value, its own timestamp or the one `send` stamps, and each
/// family's type and help.
struct RemoteWriteInput {
    struct Series {
        var name: String
        var labels: [String: String]
        var value: Double
        /// The sample's own timestamp; nil for one `send` stamps with the current time.
        var timestamp: Int64?
    }

    var text: String
    var series: [Series]
    /// Family name to the type (as Prometheus' metadata API spells it) and help text.
    var metadata: [String: (type: String, help: String)]

    /// Every family type, two samples with their own timestamps (`own.0` and `own.1`, in
    /// milliseconds), a label with an empty value (which remote write leaves out), label
    /// values and help text that need escaping, non-ASCII text, and `prefix` before every
    /// name so that tests sharing a receiver keep apart.
    static func families(prefix: String, own: (Int64, Int64)) -> RemoteWriteInput {
        let text = #"""
            # HELP \#(prefix)_requests_total Requests handled, by "path" and code \\ done.
            # TYPE \#(prefix)_requests_total counter
            \#(prefix)_requests_total{path="/a",code="200"} 17 \#(own.0)
            \#(prefix)_requests_total{path="/b",code="500"} 3
            # HELP \#(prefix)_temperature_celsius Room temperature.
            # TYPE \#(prefix)_temperature_celsius gauge
            \#(prefix)_temperature_celsius{room="lab",note="ü \"q\" \\ x"} 21.5 \#(own.1)
            \#(prefix)_temperature_celsius{room="hall",blank=""} -4.25
            # HELP \#(prefix)_step_seconds Step durations.
            # TYPE \#(prefix)_step_seconds histogram
            \#(prefix)_step_seconds_bucket{le="0.5"} 1
            \#(prefix)_step_seconds_bucket{le="1"} 3
            \#(prefix)_step_seconds_bucket{le="+Inf"} 4
            \#(prefix)_step_seconds_sum 2.75
            \#(prefix)_step_seconds_count 4
            # HELP \#(prefix)_rpc_seconds RPC latency.
            # TYPE \#(prefix)_rpc_seconds summary
            \#(prefix)_rpc_seconds{quantile="0.5"} 0.125
            \#(prefix)_rpc_seconds{quantile="0.99"} 0.875
            \#(prefix)_rpc_seconds_sum 12
            \#(prefix)_rpc_seconds_count 100
            \#(prefix)_untyped 123456789

            """#
        let series = [
            Series(
                name: "\(prefix)_requests_total", labels: ["path": "/a", "code": "200"], value: 17, timestamp: own.0),
            Series(name: "\(prefix)_requests_total", labels: ["path": "/b", "code": "500"], value: 3),
            Series(
                name: "\(prefix)_temperature_celsius", labels: ["room": "lab", "note": "ü \"q\" \\ x"], value: 21.5,
                timestamp: own.1),
            Series(name: "\(prefix)_temperature_celsius", labels: ["room": "hall", "blank": ""], value: -4.25),
            Series(name: "\(prefix)_step_seconds_bucket", labels: ["le": "0.5"], value: 1),
            Series(name: "\(prefix)_step_seconds_bucket", labels: ["le": "1"], value: 3),
            Series(name: "\(prefix)_step_seconds_bucket", labels: ["le": "+Inf"], value: 4),
            Series(name: "\(prefix)_step_seconds_sum", labels: [:], value: 2.75),
            Series(name: "\(prefix)_step_seconds_count", labels: [:], value: 4),
            Series(name: "\(prefix)_rpc_seconds", labels: ["quantile": "0.5"], value: 0.125),
            Series(name: "\(prefix)_rpc_seconds", labels: ["quantile": "0.99"], value: 0.875),
            Series(name: "\(prefix)_rpc_seconds_sum", labels: [:], value: 12),
            Series(name: "\(prefix)_rpc_seconds_count", labels: [:], value: 100),
            Series(name: "\(prefix)_untyped", labels: [:], value: 123_456_789),
        ]
        let metadata: [String: (type: String, help: String)] = [
            "\(prefix)_requests_total": ("counter", #"Requests handled, by "path" and code \ done."#),
            "\(prefix)_temperature_celsius": ("gauge", "Room temperature."),
            "\(prefix)_step_seconds": ("histogram", "Step durations."),
            "\(prefix)_rpc_seconds": ("summary", "RPC latency."),
        ]
        return RemoteWriteInput(text: text, series: series, metadata: metadata)
    }

    /// A few gauges named `name` with a `phase` label, one of them with its own timestamp.
    static func phase(_ name: String, _ phase: String, value: Double, own: Int64) -> RemoteWriteInput {
        RemoteWriteInput(
            text: "# TYPE \(name) gauge\n\(name){phase=\"\(phase)\",kind=\"own\"} \(value) \(own)\n"
                + "\(name){phase=\"\(phase)\",kind=\"stamped\"} \(value + 0.5)\n",
            series: [
                Series(name: name, labels: ["phase": phase, "kind": "own"], value: value, timestamp: own),
                Series(name: name, labels: ["phase": phase, "kind": "stamped"], value: value + 0.5),
            ],
            metadata: [name: ("gauge", "")])
    }

    /// The label set a receiver stores for `series`: without empty values, with `__name__`,
    /// and with each external label the series does not have itself.
    static func storedLabels(_ series: Series, external: [String: String]) -> [String: String] {
        var labels = external
        for (name, value) in series.labels where !value.isEmpty { labels[name] = value }
        labels["__name__"] = series.name
        return labels
    }

    /// How `stored` differs from this input sent once with `external` labels, while the
    /// clock read `window` (milliseconds): each series must be there exactly once with one
    /// sample, of the same value, at its own timestamp or, for those without, at one
    /// common time inside `window`; nothing else may be there. Empty when they agree.
    func problems(stored: [StoredSeries], external: [String: String] = [:], window: ClosedRange<Int64>) -> [String] {
        var lines: [String] = []
        var byKey: [String: StoredSeries] = [:]
        for entry in stored {
            if byKey.updateValue(entry, forKey: entry.key) != nil { lines.append("stored twice: \(entry.key)") }
        }
        var stamps: Set<Int64> = []
        for series in series {
            let key = StoredSeries(labels: Self.storedLabels(series, external: external), points: []).key
            guard let entry = byKey.removeValue(forKey: key) else {
                lines.append("missing: \(key) \(series.value)")
                continue
            }
            guard entry.points.count == 1, let point = entry.points.first else {
                lines.append("not exactly one sample: \(entry)")
                continue
            }
            if !SeriesDiff.same(point.value, series.value) { lines.append("value: \(entry), sent \(series.value)") }
            if let own = series.timestamp {
                if point.timestamp != own { lines.append("timestamp: \(entry), its own was \(own)") }
            } else {
                stamps.insert(point.timestamp)
                if !window.contains(point.timestamp) { lines.append("stamped outside the run \(window): \(entry)") }
            }
        }
        if stamps.count > 1 { lines.append("the stamped samples carry different times: \(stamps.sorted())") }
        lines += byKey.values.map { "unexpected: \($0)" }.sorted()
        return lines
    }
}
