import Exposition
import Foundation
import HTTPTransport
import PushGateway
import TestSupport
import Testing

/// The client against the real Debian `prometheus-pushgateway` 1.5.1, each test with
/// its own gateway, read back through the gateway's JSON API.
@Suite struct PushGatewayServerTests {
    @Test func pushedFamiliesReadBackEqual() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let client = try makeGatewayClient(gateway.baseURL)
        let group = GroupingKey(job: "ipvs", ["instance": "lb1"])
        let families = [
            family(
                "ipvs_service_connections_total", .counter,
                [
                    (["vip": "10.0.0.1", "port": "80", "protocol": "tcp"], 42),
                    (["vip": "10.0.0.2", "port": "443", "protocol": "tcp"], 7),
                ]),
            family(
                "ipvs_service_weight", .gauge, [(["vip": "10.0.0.1", "help": "quote \" backslash \\ newline \n"], 1.5)]),
            family("ipvs_untyped", .untyped, [([:], -0.25)]),
        ]
        let result = try await client.push(families, to: group)
        #expect(result.status == 200)
        #expect(result.attempts == 1)
        #expect(result.strippedTimestamps == 0)
        #expect(result.url == gateway.baseURL + "/metrics/job/ipvs/instance/lb1")

        let state = try await GatewayState.read(gateway.baseURL)
        let groupLabels = ["job": "ipvs", "instance": "lb1"]
        let pushed = try #require(state.pushedFamilies(groupLabels))
        #expect(Set(pushed.keys) == ["ipvs_service_connections_total", "ipvs_service_weight", "ipvs_untyped"])
        #expect(pushed["ipvs_service_connections_total"]?.type == "COUNTER")
        #expect(pushed["ipvs_service_weight"]?.type == "GAUGE")
        #expect(pushed["ipvs_untyped"]?.type == "UNTYPED")
        #expect(
            Set(pushed["ipvs_service_connections_total"]?.series ?? []) == [
                .init(
                    labels: groupLabels.merging(["vip": "10.0.0.1", "port": "80", "protocol": "tcp"]) { $1 },
                    value: "42"),
                .init(
                    labels: groupLabels.merging(["vip": "10.0.0.2", "port": "443", "protocol": "tcp"]) { $1 },
                    value: "7"),
            ])
        #expect(
            pushed["ipvs_service_weight"]?.series == [
                .init(
                    labels: groupLabels.merging(["vip": "10.0.0.1", "help": "quote \" backslash \\ newline \n"]) { $1 },
                    value: "1.5")
            ])
        #expect(pushed["ipvs_untyped"]?.series.first?.value == "-0.25")
    }

    @Test func awkwardGroupingValuesRoundTripExactly() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let client = try makeGatewayClient(gateway.baseURL)
        let keys = [
            GroupingKey(job: "ipvs", ["namespace": "/var/run/netns/blue"]),
            GroupingKey(job: "ipvs", ["namespace": ""]),
            GroupingKey(job: "ipvs", ["site": "eu west 1"]),
            GroupingKey(job: "ipvs", ["v": "."]),
            GroupingKey(job: "ipvs", ["v": ".."]),
            GroupingKey(job: "ipvs", ["v": "a+b%c?d#e&f=g;h"]),
            GroupingKey(job: "ipvs", ["v": "café ☕"]),
            GroupingKey(job: "job/with/slashes"),
            GroupingKey(job: "job with space", ["a": "/", "b": "", "c": "x y"]),
        ]
        for key in keys {
            try await client.push([family("probe", .gauge, [([:], 1)])], to: key)
        }
        let state = try await GatewayState.read(gateway.baseURL)
        for key in keys {
            var expected = ["job": key.job]
            for label in key.labels { expected[label.name] = label.value }
            #expect(
                state.group(expected) != nil, "group \(expected) missing; gateway has \(state.groups.map(\.labels))")
        }
        #expect(state.groups.count == keys.count)
    }

    @Test func putReplacesTheGroupPostOnlyThePushedFamiliesDeleteRemovesIt() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let client = try makeGatewayClient(gateway.baseURL)
        let group = GroupingKey(job: "ipvs", ["instance": "lb1"])
        let other = GroupingKey(job: "ipvs", ["instance": "lb2"])
        let labels = ["job": "ipvs", "instance": "lb1"]
        func values() async throws -> [String: String] {
            let families = try await GatewayState.read(gateway.baseURL).pushedFamilies(labels) ?? [:]
            return families.mapValues { $0.series.first?.value ?? "?" }
        }

        try await client.push([family("a", .gauge, [([:], 1)]), family("b", .gauge, [([:], 2)])], to: group)
        try await client.push([family("z", .gauge, [([:], 9)])], to: other)
        #expect(try await values() == ["a": "1", "b": "2"])

        let added = try await client.add([family("a", .gauge, [([:], 10)])], to: group)
        #expect(added.status == 200)
        #expect(try await values() == ["a": "10", "b": "2"])

        try await client.push([family("c", .gauge, [([:], 3)])], to: group)
        #expect(try await values() == ["c": "3"])

        let deleted = try await client.delete(group)
        #expect(deleted.status == 202)
        let state = try await GatewayState.read(gateway.baseURL)
        #expect(state.group(labels) == nil)
        #expect(state.pushedFamilies(["job": "ipvs", "instance": "lb2"])?["z"] != nil)
    }

    @Test func gzipBodiesAreAccepted() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let client = try makeGatewayClient(
            gateway.baseURL, options: PushOptions(gzip: true, retryPolicy: quickRetries()))
        let samples = (0..<200).map { (["vip": "10.0.0.\($0 % 250)", "port": "\(1000 + $0)"], Double($0)) }
        let result = try await client.push(
            [family("ipvs_service_connections_total", .counter, samples)], to: GroupingKey(job: "gz"))
        #expect(result.status == 200)
        #expect(result.sentBytes < result.bodyBytes / 3)
        let pushed = try await GatewayState.read(gateway.baseURL).pushedFamilies(["job": "gz"])
        #expect(pushed?["ipvs_service_connections_total"]?.series.count == 200)
        #expect(
            pushed?["ipvs_service_connections_total"]?.series.contains {
                $0.labels["port"] == "1199" && $0.value == "199"
            } == true)
    }

    @Test func typeConflictIsRejectedWithTheGatewaysReasonAndNotRetried() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let client = try makeGatewayClient(
            gateway.baseURL, options: PushOptions(retryPolicy: quickRetries(attempts: 5)))
        try await client.push([family("foo", .counter, [([:], 1)])], to: GroupingKey(job: "x", ["g": "a"]))
        do {
            try await client.push([family("foo", .gauge, [([:], 1)])], to: GroupingKey(job: "x", ["g": "b"]))
            Issue.record("expected the gateway to reject a type conflict")
        } catch {
            guard case .rejected(let status, let reason, let url) = error else { throw error }
            #expect(status == 400)
            #expect(reason.contains("pushed metrics are invalid or inconsistent with existing metrics"))
            #expect(reason.contains("foo"))
            #expect(url == gateway.baseURL + "/metrics/job/x/g/b")
            #expect("\(error)".contains("rejected") && "\(error)".contains(reason))
        }
        // Not retried: the gateway's own request counter saw exactly one refused push.
        let metrics = try await TestHTTP.request(gateway.baseURL + "/metrics").text
        #expect(metrics.contains("pushgateway_http_requests_total{code=\"400\",handler=\"push\",method=\"put\"} 1\n"))
        // The gateway records the failed push for the group but stores none of its metrics.
        let failedGroup = try await GatewayState.read(gateway.baseURL).group(["job": "x", "g": "b"])
        #expect(failedGroup?.lastPushSuccessful != true)
        #expect(failedGroup?.families["foo"] == nil)
    }

    @Test func timestampsAreStrippedSoTheGatewayAccepts() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let client = try makeGatewayClient(gateway.baseURL)
        let families = [family("t", .gauge, [(["i": "1"], 5), (["i": "2"], 6)], timestamp: 1_700_000_000_000)]
        let result = try await client.push(families, to: GroupingKey(job: "ts"))
        #expect(result.strippedTimestamps == 2)
        let pushed = try await GatewayState.read(gateway.baseURL).pushedFamilies(["job": "ts"])
        #expect(pushed?["t"]?.series.count == 2)

        // What the check protects against: the same body with timestamps is refused.
        let text = "# TYPE t gauge\nt{i=\"1\"} 5 1700000000000\n"
        let raw = try await TestHTTP.request(gateway.baseURL + "/metrics/job/raw", method: "PUT", body: Data(text.utf8))
        #expect(raw.status == 400)
    }

    @Test func clashingLabelsAndBadKeysSendNothing() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let client = try makeGatewayClient(gateway.baseURL)
        await #expect {
            try await client.push([family("m", .gauge, [(["job": "other"], 1)])], to: GroupingKey(job: "j"))
        } throws: { error in
            guard case .clashingLabel("m", "job") = error as? PushGatewayError else { return false }
            return true
        }
        await #expect {
            try await client.add([family("m", .gauge, [(["site": "b"], 1)])], to: GroupingKey(job: "j", ["site": "a"]))
        } throws: { error in
            guard case .clashingLabel("m", "site") = error as? PushGatewayError else { return false }
            return true
        }
        await #expect {
            try await client.delete(GroupingKey(job: ""))
        } throws: { error in
            guard case .invalidGroupingKey = error as? PushGatewayError else { return false }
            return true
        }
        #expect(try await GatewayState.read(gateway.baseURL).groups.isEmpty)
    }

    @Test func wrongPathIsRejectedNotRetried() async throws {
        let gateway = try await ExternalServer.pushgateway()
        defer { gateway.stop() }
        let client = try makeGatewayClient(gateway.baseURL + "/no/such/prefix/")
        do {
            try await client.push([family("m", .gauge, [([:], 1)])], to: GroupingKey(job: "j"))
            Issue.record("expected 404")
        } catch {
            guard case .rejected(404, _, let url) = error else { throw error }
            #expect(url == gateway.baseURL + "/no/such/prefix/metrics/job/j")
        }
    }

    @Test func refusedConnectionIsUnreachableAfterBackedOffRetries() async throws {
        let port = FreePort.allocate()
        let client = try makeGatewayClient(
            "http://127.0.0.1:\(port)",
            options: PushOptions(
                retryPolicy: RetryPolicy(
                    minBackoff: .milliseconds(100), maxBackoff: .seconds(1), maxAttempts: 3, jitter: 0)))
        let started = ContinuousClock.now
        do {
            try await client.push([family("m", .gauge, [([:], 1)])], to: GroupingKey(job: "j"))
            Issue.record("expected unreachable")
        } catch {
            guard case .unreachable(let url, let attempts, let last) = error else { throw error }
            #expect(attempts == 3)
            #expect(url == "http://127.0.0.1:\(port)/metrics/job/j")
            guard case .network(7, _, _) = last else {
                Issue.record("expected curl error 7, got \(last)")
                return
            }
            #expect("\(error)".contains("could not be reached after 3 attempts"))
        }
        // Waits of 100 ms and 200 ms between the three attempts.
        #expect(ContinuousClock.now - started >= .milliseconds(300))
    }

    @Test func pushSucceedsOnceAGatewayThatWasDownComesUp() async throws {
        let port = FreePort.allocate()
        let client = try makeGatewayClient(
            "http://127.0.0.1:\(port)",
            options: PushOptions(
                retryPolicy: RetryPolicy(
                    minBackoff: .milliseconds(100), maxBackoff: .milliseconds(300), maxAttempts: 60, jitter: 0)))
        let push = Task { try await client.push([family("late", .gauge, [([:], 4)])], to: GroupingKey(job: "late")) }
        try await Task.sleep(for: .milliseconds(700))
        let gateway = try ChildProcess("/usr/bin/prometheus-pushgateway", ["--web.listen-address=127.0.0.1:\(port)"])
        defer { gateway.terminate(grace: 0) }
        let result = try await push.value
        #expect(result.attempts > 2)
        #expect(result.status == 200)
        let pushed = try await GatewayState.read("http://127.0.0.1:\(port)").pushedFamilies(["job": "late"])
        #expect(pushed?["late"]?.series.first?.value == "4")
    }

    @Test func baseURLMustBeHTTP() {
        #expect {
            _ = try makeGatewayClient("ftp://user:secret@host/")
        } throws: { error in
            guard case .configuration(let message) = error as? PushGatewayError else { return false }
            return message.contains("ftp://host/") && !message.contains("secret")
        }
    }
}
