import Exposition
import PushGateway
import Testing

@Suite struct PushPayloadTests {
    let group = GroupingKey(job: "ipvs", ["instance": "lb1"])

    @Test func rendersWithTheExpositionRenderer() throws {
        let families = [
            family("ipvs_up", .gauge, [([:], 1)]),
            family("ipvs_service_connections_total", .counter, [(["vip": "10.0.0.1"], 42)]),
        ]
        let payload = try PushPayload(families, group: group)
        #expect(payload.text == ExpositionRenderer.render(families, format: .prometheus))
        #expect(payload.strippedTimestamps == 0)
        #expect(
            String(decoding: payload.text, as: UTF8.self).contains(
                "ipvs_service_connections_total{vip=\"10.0.0.1\"} 42\n"))
    }

    @Test func stripsAndCountsTimestamps() throws {
        let families = [
            family("a", .gauge, [(["x": "1"], 1), (["x": "2"], 2)], timestamp: 1_700_000_000_000),
            family("b", .gauge, [([:], 3)]),
        ]
        let payload = try PushPayload(families, group: group)
        #expect(payload.strippedTimestamps == 2)
        let text = String(decoding: payload.text, as: UTF8.self)
        #expect(!text.contains("1700000000000"))
        var withoutTimestamps = families
        withoutTimestamps[0].samples = withoutTimestamps[0].samples.map {
            var sample = $0
            sample.timestampMilliseconds = nil
            return sample
        }
        #expect(payload.text == ExpositionRenderer.render(withoutTimestamps, format: .prometheus))
    }

    @Test func rejectsSamplesCarryingTheJobOrAGroupingLabel() {
        for (labels, clash) in [(["job": "other"], "job"), (["instance": "lb2", "vip": "x"], "instance")] {
            #expect {
                _ = try PushPayload([family("ipvs_service_weight", .gauge, [(labels, 1)])], group: group)
            } throws: { error in
                guard case .clashingLabel(let metric, let label) = error as? PushGatewayError else { return false }
                return metric == "ipvs_service_weight" && label == clash
                    && "\(error)".contains("metric ipvs_service_weight carries the label \"\(clash)\"")
            }
        }
    }
}
