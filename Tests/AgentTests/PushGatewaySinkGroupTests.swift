import Exposition
import Foundation
import HTTPTransport
import Logging
import PushGateway
import TestSupport
import Testing

@testable import Agent

/// One group per namespace on the real Debian `prometheus-pushgateway`: a namespace whose
/// series are gone (its file removed, or a matched namespace with no service left) has its
/// group deleted, or the gateway would serve its last numbers forever.
@Suite struct PushGatewaySinkGroupTests {
    static func up(_ namespaces: [String]) -> [MetricFamily] {
        var up = MetricFamily(name: "ipvs_up", type: .gauge, help: "Read.")
        for namespace in namespaces { up.add(Labels(["namespace": namespace]), 1) }
        return [up]
    }

    static func groups(_ gateway: ExternalServer) async throws -> [String] {
        let response = try await TestHTTP.request(gateway.baseURL + "/api/v1/metrics")
        return try PushgatewayGroup.parse(response.body).map { $0.labels["namespace"] ?? "-" }.sorted()
    }

    @Test func aNamespaceWithoutSeriesHasItsGroupDeletedAtTheNextPush() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let capture = LogCapture()
        let client = try PushGatewayClient(
            baseURL: gateway.baseURL,
            transport: HTTPClient(
                configuration: TransportConfiguration(timeout: .seconds(10)), logger: capture.logger()),
            options: PushOptions(), logger: capture.logger())
        let sink = PushGatewaySink(
            client: client, baseGroup: GroupingKey(job: "ipvs", ["instance": "node1"]), method: .put,
            logger: capture.logger())
        let lb = "/var/run/docker/netns/lb_abcdef123"
        let ingress = "/var/run/docker/netns/ingress_sbox"

        _ = await sink.pushByNamespace(Self.up(["", ingress, lb]))
        #expect(try await Self.groups(gateway) == ["", ingress, lb])

        let outcomes = await sink.pushByNamespace(Self.up(["", ingress]))
        #expect(try await Self.groups(gateway) == ["", ingress])
        let deleted = try #require(outcomes.last)
        #expect(deleted.group.labels.contains { $0.name == "namespace" && $0.value == lb })
        #expect(deleted.group.path.hasPrefix("/metrics/job/ipvs/instance/node1/namespace@base64/"))
        #expect((try? deleted.result.get()) != nil)
        #expect(capture.contains(.info, "deleted its group"))

        // Deleted once: the next push deletes nothing more; a namespace that comes back is pushed again.
        let again = await sink.pushByNamespace(Self.up(["", ingress]))
        #expect(again.count == 2)
        _ = await sink.pushByNamespace(Self.up(["", lb]))
        #expect(try await Self.groups(gateway) == ["", lb])
    }
}
