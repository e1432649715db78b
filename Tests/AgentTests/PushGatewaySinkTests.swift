import Exposition
import Testing

@testable import Agent

@Suite struct PushGatewaySinkTests {
    @Test func familiesSplitByNamespaceLoseTheNamespaceLabel() {
        var up = MetricFamily(name: "ipvs_up", type: .gauge, help: "h")
        up.add(Labels(["namespace": ""]), 1)
        up.add(Labels(["namespace": "/var/run/docker/netns/ingress_sbox"]), 0)
        var own = MetricFamily(name: "ipvs_push_scrape_requests_total", type: .counter, help: "h")
        own.add(Labels(["code": "200"]), 3)
        let groups = PushGatewaySink.splitByNamespace([up, own])
        #expect(groups.map(\.0) == ["", "/var/run/docker/netns/ingress_sbox"])
        let host = groups[0].1
        #expect(host.map(\.name) == ["ipvs_up", "ipvs_push_scrape_requests_total"])
        #expect(host[0].samples == [Sample(name: "ipvs_up", labels: .empty, value: 1)])
        #expect(host[1].samples[0].labels == Labels(["code": "200"]))
        let ingress = groups[1].1
        #expect(ingress.count == 1)
        #expect(ingress[0].samples == [Sample(name: "ipvs_up", labels: .empty, value: 0)])
        #expect(ingress[0].help == "h" && ingress[0].type == .gauge)
    }
}
