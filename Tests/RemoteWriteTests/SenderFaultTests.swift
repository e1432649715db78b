import Exposition
import Foundation
import HTTPTransport
import TestSupport
import Testing

@testable import RemoteWrite

/// The sender against a scripted receiver, for faults and protocol details a real
/// receiver cannot be made to show on demand.
@Suite("Remote-write sender faults")
struct SenderFaultTests {
    @Test(arguments: RemoteWriteProtocol.allCases)
    func headersFollowTheSpecAndUserHeadersCannotOverrideThem(protocolVersion: RemoteWriteProtocol) async throws {
        let receiver = try ScriptedHTTPServer([
            .respond(status: 204, headers: ["X-Prometheus-Remote-Write-Samples-Written": "1"])
        ])
        var configuration = testConfiguration(url: receiver.url("/api/v1/write"), protocolVersion: protocolVersion)
        configuration.tenant = "team-a"
        configuration.transport.headers = [
            "Content-Type": "text/plain", "User-Agent": "evil", "X-Prometheus-Remote-Write-Version": "9",
            "Content-Encoding": "gzip", "X-Extra": "kept",
        ]
        let sender = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        try await whileRunning(sender) {
            try await sender.enqueue(families: gauge(value: 7), timestampMilliseconds: 1_000)
            try await waitUntil("one request") { receiver.requests.count == 1 && sender.queuedBatches == 0 }
        }
        let request = try #require(receiver.requests.first)
        #expect(request.method == "POST")
        #expect(request.target == "/api/v1/write")
        #expect(request.headers["content-encoding"] == "snappy")
        #expect(request.headers["content-type"] == protocolVersion.contentType)
        #expect(request.headers["x-prometheus-remote-write-version"] == protocolVersion.versionHeader)
        #expect(request.headers["user-agent"] == "ipvs-push/\(IPVSPushVersion.current)")
        #expect(request.headers["x-scope-orgid"] == "team-a")
        #expect(request.headers["x-extra"] == "kept")
        let decoded =
            protocolVersion == .v1
            ? try DecodedRequest.v1(compressed: request.body) : try DecodedRequest.v2(compressed: request.body)
        #expect(decoded.series.first?.samples == [.init(value: 7, timestamp: 1_000)])
        if protocolVersion == .v1 {
            #expect(decoded.metadata == [.init(type: 2, familyName: "test_gauge", help: "A test gauge.", unit: "")])
        } else {
            #expect(decoded.series.first?.metadata == .init(type: 2, familyName: "", help: "A test gauge.", unit: ""))
        }
        #expect(sender.metric("ipvs_push_remote_write_samples_sent_total", ["protocol": protocolVersion.rawValue]) == 1)
        #expect(sender.protocolVersion == protocolVersion, "a 2.0 receiver that reports samples written keeps 2.0")
    }

    @Test func serverErrorsAreRetriedWithBackoffUntilAccepted() async throws {
        let receiver = try ScriptedHTTPServer([
            .text(500, "boom"), .respond(status: 503), .respond(status: 204),
        ])
        let clock = TestClock()
        let sender = try clockedSender(testConfiguration(url: receiver.url("/api/v1/write")), clock: clock)
        try await whileRunning(sender) {
            try await sender.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
            try await waitUntil("delivered after two failures") { sender.queuedBatches == 0 }
        }
        let requests = receiver.requests
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.body)).count == 1, "the same batch each time")
        #expect(clock.sleeps.count == 2 && clock.sleeps.allSatisfy { $0 >= .milliseconds(5) }, "\(clock.sleeps)")
        #expect(sender.metric("ipvs_push_remote_write_retries_total") == 2)
        #expect(sender.metric("ipvs_push_remote_write_samples_failed_total") == 2)
        #expect(sender.metric("ipvs_push_remote_write_samples_sent_total") == 1)
        #expect(sender.metric("ipvs_push_remote_write_last_success_timestamp_seconds")! > 1_600_000_000)
    }

    @Test func tooManyRequestsHonoursRetryAfter() async throws {
        let receiver = try ScriptedHTTPServer([
            .respond(status: 429, headers: ["Retry-After": "1"]), .respond(status: 200),
        ])
        let clock = TestClock()
        let sender = try clockedSender(testConfiguration(url: receiver.url("/api/v1/write")), clock: clock)
        try await whileRunning(sender) {
            try await sender.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
            try await waitUntil("delivered after the 429") { sender.queuedBatches == 0 }
        }
        #expect(receiver.requests.count == 2)
        #expect(clock.sleeps == [.seconds(1)], "Retry-After said 1 s (the backoff alone is 20 ms)")
        #expect(sender.metric("ipvs_push_remote_write_retries_total") == 1)
    }

    @Test func tooManyRequestsIsDroppedWhenRetryOn429IsOff() async throws {
        let receiver = try ScriptedHTTPServer([.text(429, "slow down"), .respond(status: 200)])
        var configuration = testConfiguration(url: receiver.url("/api/v1/write"))
        configuration.retryOn429 = false
        let sender = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        try await whileRunning(sender) {
            try await sender.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
            try await waitUntil("dropped") { sender.queuedBatches == 0 }
        }
        #expect(receiver.requests.count == 1)
        #expect(sender.metric("ipvs_push_remote_write_samples_dropped_total", ["reason": "receiver_rejected"]) == 1)
    }

    @Test func clientErrorDropsTheBatchCountsItAndLogsTheFirstKibOfTheAnswer() async throws {
        let answer = "bad label: " + String(repeating: "x", count: 3000)
        let receiver = try ScriptedHTTPServer([.text(400, answer), .respond(status: 204)])
        let capture = LogCapture()
        let sender = try RemoteWriteSender(
            configuration: testConfiguration(url: "http://user:secret@127.0.0.1:\(receiver.port)/api/v1/write"),
            logger: capture.logger("test.remote-write", level: .debug))
        try await whileRunning(sender) {
            try await sender.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
            try await waitUntil("first batch dropped") { sender.queuedBatches == 0 && receiver.requests.count == 1 }
            try await sender.enqueue(families: gauge(value: 2), timestampMilliseconds: 2_000)
            try await waitUntil("second batch delivered") { sender.queuedBatches == 0 && receiver.requests.count == 2 }
        }
        #expect(receiver.requests.count == 2, "a 4xx is not retried")
        #expect(sender.metric("ipvs_push_remote_write_samples_dropped_total", ["reason": "receiver_rejected"]) == 1)
        #expect(sender.metric("ipvs_push_remote_write_samples_sent_total") == 1)
        #expect(
            sender.metric(
                "ipvs_push_remote_write_samples_sent_total", ["url": "http://127.0.0.1:\(receiver.port)/api/v1/write"])
                == 1)
        let logged = try #require(capture.lines.first { $0.hasPrefix("error ") && $0.contains("rejected") })
        #expect(logged.contains("http.status=400"))
        #expect(logged.contains("bad label: xxx"))
        #expect(!logged.contains(String(repeating: "x", count: 1024)), "only the first KiB of the body")
        #expect(!capture.lines.joined().contains("secret"))
    }

    @Test func aHangingReceiverTimesOutAndTheBatchIsRetried() async throws {
        let receiver = try ScriptedHTTPServer([.hang(seconds: 5), .respond(status: 204)])
        let sender = try RemoteWriteSender(
            configuration: testConfiguration(url: receiver.url("/api/v1/write"), timeout: .seconds(1)),
            logger: silentLogger)
        let start = Date()
        try await whileRunning(sender) {
            try await sender.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
            try await waitUntil("delivered after the timeout") { sender.queuedBatches == 0 }
        }
        #expect(Date().timeIntervalSince(start) >= 0.9)
        #expect(receiver.requests.count == 2)
        #expect(sender.metric("ipvs_push_remote_write_retries_total") == 1)
    }

    @Test func droppedConnectionIsRetried() async throws {
        let receiver = try ScriptedHTTPServer([.close, .respond(status: 204)])
        let sender = try RemoteWriteSender(
            configuration: testConfiguration(url: receiver.url("/api/v1/write")), logger: silentLogger)
        try await whileRunning(sender) {
            try await sender.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
            try await waitUntil("delivered") { sender.queuedBatches == 0 }
        }
        #expect(receiver.requests.count == 2)
    }

    @Test(arguments: [415, 204])
    func v2FallsBackToV1WhenTheReceiverOnlySpeaksV1(status: Int) async throws {
        // 415: a receiver that knows 2.0 exists but will not take it. 204 without
        // X-Prometheus-Remote-Write-Samples-Written: a 1.0 receiver that decoded the
        // 2.0 body as an empty 1.0 request and wrote nothing.
        let receiver = try ScriptedHTTPServer { _, request in
            request.headers["x-prometheus-remote-write-version"] == "2.0.0"
                ? .respond(status: status) : .respond(status: 204)
        }
        let capture = LogCapture()
        let sender = try RemoteWriteSender(
            configuration: testConfiguration(url: receiver.url("/api/v1/write"), protocolVersion: .v2),
            logger: capture.logger("test.remote-write", level: .debug))
        try await whileRunning(sender) {
            try await sender.enqueue(
                families: ipvsFamilies(services: 2, serversPerService: 2), timestampMilliseconds: 1_000)
            try await waitUntil("delivered as 1.0") { sender.queuedBatches == 0 }
            try await sender.enqueue(
                families: ipvsFamilies(services: 2, serversPerService: 2), timestampMilliseconds: 2_000)
            try await waitUntil("second collection delivered") { sender.queuedBatches == 0 }
        }
        let requests = receiver.requests
        #expect(requests.map { $0.headers["x-prometheus-remote-write-version"] } == ["2.0.0", "0.1.0", "0.1.0"])
        #expect(requests[1].headers["content-type"] == "application/x-protobuf")
        let asV2 = try DecodedRequest.v2(compressed: requests[0].body)
        let asV1 = try DecodedRequest.v1(compressed: requests[1].body)
        #expect(asV1.series.map(\.labels) == asV2.series.map(\.labels))
        #expect(asV1.series.map(\.samples) == asV2.series.map(\.samples))
        #expect(asV1.metadata.count == 3)
        #expect(try DecodedRequest.v1(compressed: requests[2].body).series.first?.samples.first?.timestamp == 2_000)
        #expect(sender.protocolVersion == .v1)
        #expect(capture.contains(.warning, "falling back to 1.0"))
        #expect(sender.metric("ipvs_push_remote_write_protocol_fallbacks_total") == 1)
        #expect(sender.metric("ipvs_push_remote_write_samples_sent_total", ["protocol": "1.0"]) == 20)
        #expect(sender.metric("ipvs_push_remote_write_samples_sent_total", ["protocol": "2.0"]) == 0)
    }

    @Test func shardsKeepSeveralRequestsInFlightAndEachSeriesInOrder() async throws {
        let receiver = try ScriptedHTTPServer { _, _ in .after(seconds: 0.05, .respond(status: 204)) }
        var configuration = testConfiguration(url: receiver.url("/api/v1/write"), shards: 4)
        configuration.maxSamplesPerSend = 5
        let sender = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        try await whileRunning(sender) {
            for cycle in 1...5 {
                try await sender.enqueue(
                    families: ipvsFamilies(services: 4, serversPerService: 5) { _, _ in Double(cycle) },
                    timestampMilliseconds: Int64(cycle) * 1000)
            }
            try await waitUntil("all delivered") { sender.queuedBatches == 0 }
        }
        #expect(receiver.mostConcurrentRequests > 1)
        var timestamps: [String: [Int64]] = [:]
        for request in receiver.requests {
            for series in try DecodedRequest.v1(compressed: request.body).series {
                timestamps["\(series.labels)", default: []] += series.samples.map(\.timestamp)
            }
        }
        #expect(timestamps.count == 4 * 5 * 2 + 4)
        for (series, seen) in timestamps {
            #expect(seen == [1000, 2000, 3000, 4000, 5000], "\(series)")
        }
    }

    @Test func flushDrainsTheQueueWithoutRunAndGivesUpAtTheDeadline() async throws {
        let receiver = try ScriptedHTTPServer([.respond(status: 204)])
        let sender = try RemoteWriteSender(
            configuration: testConfiguration(url: receiver.url("/api/v1/write")), logger: silentLogger)
        try await sender.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
        #expect(await sender.flush(deadline: .now + .seconds(10)))
        #expect(receiver.requests.count == 1)

        let down = try ScriptedHTTPServer([.respond(status: 503)])
        let failing = try RemoteWriteSender(
            configuration: testConfiguration(url: down.url("/api/v1/write")), logger: silentLogger)
        try await failing.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
        let start = ContinuousClock.now
        #expect(await failing.flush(deadline: .now + .milliseconds(500)) == false)
        #expect(ContinuousClock.now - start < .seconds(30), "flush returns near its deadline, not when delivered")
        #expect(failing.queuedBatches == 1)
    }

    @Test func concurrentEnqueuesNeverSendASeriesOutOfOrder() async throws {
        let receiver = try ScriptedHTTPServer([.respond(status: 204)])
        let sender = try RemoteWriteSender(
            configuration: testConfiguration(url: receiver.url("/api/v1/write"), shards: 2), logger: silentLogger)
        let families = ipvsFamilies(services: 5, serversPerService: 2)
        let seriesCount = families.reduce(0) { $0 + $1.samples.count }
        try await whileRunning(sender) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for cycle in (1...12).shuffled() {
                    group.addTask {
                        try await sender.enqueue(families: families, timestampMilliseconds: Int64(cycle) * 1000)
                    }
                }
                try await group.waitForAll()
            }
            try await waitUntil("all delivered") { sender.queuedBatches == 0 }
        }
        var timestamps: [String: [Int64]] = [:]
        for request in receiver.requests {
            for series in try DecodedRequest.v1(compressed: request.body).series {
                timestamps["\(series.labels)", default: []] += series.samples.map(\.timestamp)
            }
        }
        var delivered = 0
        for (series, seen) in timestamps {
            #expect(seen == seen.sorted() && Set(seen).count == seen.count, "\(series): \(seen)")
            delivered += seen.count
        }
        let dropped = sender.metric("ipvs_push_remote_write_samples_dropped_total", ["reason": "out_of_order"]) ?? -1
        #expect(Double(delivered) + dropped == Double(12 * seriesCount))
    }

    /// A sender handing its on-disk queue to a replacement (a reload that reopens it) lets
    /// the request in flight be answered first: cancelled halfway, the receiver would have
    /// stored the batch while the queue still held it, and the replacement would send it
    /// again.
    @Test func aStoppingSenderLetsTheRequestInFlightBeAnswered() async throws {
        let receiver = try ScriptedHTTPServer { _, _ in .after(seconds: 1, .respond(status: 204)) }
        defer { receiver.stop() }
        let directory = try temporaryDirectory("handover")
        defer { removeDirectory(directory) }
        let configuration = testConfiguration(url: receiver.url("/api/v1/write"), queueDirectory: directory)
        let first = try RemoteWriteSender(
            configuration: configuration, logger: LogCapture().logger("test.handover.first", level: .debug))
        let running = Task { await first.run() }
        try await first.enqueue(families: gauge(value: 1), timestampMilliseconds: 1_000)
        try await waitUntil("the request is in flight") { receiver.requests.count == 1 }
        first.stopAfterRequestsInFlight()
        await running.value
        await first.close()

        let second = try RemoteWriteSender(
            configuration: configuration, logger: LogCapture().logger("test.handover.second", level: .debug))
        try await whileRunning(second) {
            try await second.enqueue(families: gauge(value: 2), timestampMilliseconds: 2_000)
            try await waitUntil("the second collection delivered") { second.queuedBatches == 0 }
        }
        await second.close()
        let timestamps = try receiver.requests.map {
            try DecodedRequest.v1(compressed: $0.body).series.flatMap(\.samples).map(\.timestamp)
        }
        #expect(timestamps == [[1_000], [2_000]], "each batch once")
    }
}
