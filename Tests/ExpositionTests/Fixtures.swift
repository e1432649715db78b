import Exposition

/// Metric families that cover what the formats must handle: counters with and without
/// units, gauges with special values and escaping, a histogram, a summary, an untyped
/// family, a family without samples.
enum Fixtures {
    static let service = Labels(["address": "10.0.0.1", "port": "80", "protocol": "tcp"])
    static let otherService = Labels(["address": "10.0.0.2", "port": "443", "protocol": "tcp"])

    static func counter() -> MetricFamily {
        var family = MetricFamily(
            name: "ipvs_service_connections_total", type: .counter, help: "Connections scheduled to the service.")
        family.add(service, 12345)
        family.add(otherService, 0)
        return family
    }

    static func counterWithUnit() -> MetricFamily {
        var family = MetricFamily(
            name: "ipvs_service_in_bytes_total", type: .counter, help: "Bytes received by the service.", unit: "bytes")
        family.add(service, 1e22)
        family.add(otherService, 1_152_921_504_606_846_976)
        return family
    }

    /// Special values and numbers in every form the renderer prints.
    static func gaugeWithSpecialValues() -> MetricFamily {
        var family = MetricFamily(name: "test_values", type: .gauge, help: "Values of every kind.")
        for (index, value) in [
            Double.nan, .infinity, -.infinity, 1e22, 1.5e-7, 0.5, -3, 0, -0.0, 123456.789, 9_007_199_254_740_992,
            -9_007_199_254_740_991, 1e-5, 0.1 + 0.2,
        ].enumerated() {
            family.add(Labels(["case": "\(index)"]), value)
        }
        return family
    }

    /// Label values and help text that need escaping (the help has no `"`, which
    /// promtool 2.42 cannot read in OpenMetrics).
    static func gaugeWithEscaping(quoteInHelp: Bool = true) -> MetricFamily {
        let help =
            quoteInHelp ? "Help with \\ backslash,\nnewline and \"quotes\"." : "Help with \\ backslash and\nnewline."
        var family = MetricFamily(name: "test_escaping", type: .gauge, help: help)
        family.add(Labels(["path": "C:\\dir\\file", "quote": "say \"hi\"", "text": "line1\nline2"]), 1)
        family.add(Labels(["path": "/plain/ascii", "quote": "", "text": "ünïcödé ✓"]), 2)
        return family
    }

    static func histogram() -> MetricFamily {
        var family = MetricFamily(
            name: "test_request_duration_seconds", type: .histogram, help: "Request latency.", unit: "seconds")
        let name = family.name
        for (bound, count) in [("0.1", 3.0), ("1", 7), ("+Inf", 9)] {
            family.samples.append(
                Sample(name: name + "_bucket", labels: service.adding(Label("le", bound)), value: count))
        }
        family.samples.append(Sample(name: name + "_sum", labels: service, value: 4.25))
        family.samples.append(Sample(name: name + "_count", labels: service, value: 9))
        return family
    }

    static func summary() -> MetricFamily {
        var family = MetricFamily(name: "test_rpc_seconds", type: .summary, help: "RPC latency.", unit: "seconds")
        let name = family.name
        for (quantile, value) in [("0.5", 0.012), ("0.99", 0.5)] {
            family.samples.append(Sample(name: name, labels: Labels(["quantile": quantile]), value: value))
        }
        family.samples.append(Sample(name: name + "_sum", labels: .empty, value: 17.5))
        family.samples.append(Sample(name: name + "_count", labels: .empty, value: 1000))
        return family
    }

    static func untyped() -> MetricFamily {
        var family = MetricFamily(name: "test_legacy", type: .untyped, help: "An untyped value.")
        family.add(.empty, 42)
        return family
    }

    static func empty() -> MetricFamily {
        MetricFamily(name: "test_no_samples", type: .gauge, help: "A family without samples.")
    }

    static func timestamped() -> MetricFamily {
        var family = MetricFamily(name: "test_timestamped", type: .gauge, help: "Samples with their own time.")
        family.samples.append(
            Sample(name: family.name, labels: service, value: 1, timestampMilliseconds: 1_700_000_000_123))
        family.samples.append(
            Sample(name: family.name, labels: otherService, value: 2, timestampMilliseconds: 1_700_000_000_000))
        family.samples.append(Sample(name: family.name, labels: .empty, value: 3, timestampMilliseconds: -1_500))
        return family
    }

    /// Everything, in the order the renderer prints it (sorted by name).
    /// `families` as parsing them from OpenMetrics gives them: a counter or info family
    /// carries the name its `# TYPE` line declared.
    static func declaredInOpenMetrics(_ families: [MetricFamily]) -> [MetricFamily] {
        families.map { family in
            var declared = family
            let name = ExpositionRenderer.familyName(of: family, format: .openMetrics)
            declared.declaredName = name == family.name ? nil : name
            return declared
        }
    }

    static func all() -> [MetricFamily] {
        [
            counterWithUnit(), counter(), empty(), gaugeWithEscaping(), untyped(), histogram(), summary(),
            timestamped(), gaugeWithSpecialValues(),
        ].sorted { Labels.bytewiseLess($0.name, $1.name) }
    }
}
