import Exposition
import PullServer
import TestSupport

/// The families the test sources serve: counters and gauges with labels that need
/// escaping, an IPv6 address and a special value, as the collector will produce them.
enum Fixture {
    static let families: [MetricFamily] = [
        MetricFamily(
            name: "ipvs_test_connections_total", type: .counter,
            help: "Connections scheduled to the virtual service.",
            samples: [
                Sample(
                    name: "ipvs_test_connections_total",
                    labels: Labels(["address": "10.0.0.1", "port": "80", "protocol": "TCP"]), value: 42),
                Sample(
                    name: "ipvs_test_connections_total",
                    labels: Labels(["address": "2001:db8::1", "port": "443", "protocol": "TCP"]), value: 7),
            ]),
        MetricFamily(
            name: "ipvs_test_weight", type: .gauge, help: "Weight of the real server.",
            samples: [
                Sample(
                    name: "ipvs_test_weight",
                    labels: Labels(["server": "10.0.0.2:80", "note": "quote \" backslash \\ newline \n end"]),
                    value: 3.5)
            ]),
        MetricFamily(
            name: "ipvs_up", type: .gauge, help: "Whether the namespace could be read.",
            samples: [Sample(name: "ipvs_up", labels: Labels(["namespace": "default"]), value: 1)]),
    ]
}

/// Serves fixed families and counts how often it was asked.
actor StaticSource: MetricsSource {
    private let families: [MetricFamily]
    private let delay: Duration
    private(set) var calls = 0
    private(set) var completed = 0

    init(_ families: [MetricFamily] = Fixture.families, delay: Duration = .zero) {
        self.families = families
        self.delay = delay
    }

    func collect() async -> [MetricFamily] {
        calls += 1
        if delay > .zero { try? await Task.sleep(for: delay) }
        completed += 1
        return families
    }
}
