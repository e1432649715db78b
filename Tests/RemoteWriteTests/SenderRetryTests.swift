import Exposition
import HTTPTransport
import Logging
import TestSupport
import Testing

@testable import RemoteWrite

/// The sender's decisions over a scripted transport and a test clock: what is retried,
/// after how long, what is dropped, when 2.0 falls back to 1.0. No socket and no wall
/// clock waits; the real receivers' side is in the CLI suites.
@Suite struct SenderRetryTests {
    static let families = [
        MetricFamily(
            name: "ipvs_up", type: .gauge, help: "Up.",
            samples: [Sample(name: "ipvs_up", labels: Labels(["namespace": "host"]), value: 1)])
    ]

    /// A sender over `transport` with one shard and an in-memory queue holding one batch.
    static func sender(
        _ transport: ScriptedTransport, _ clock: TestClock, protocolVersion: RemoteWriteProtocol = .v1,
        retryOn429: Bool = true
    ) async throws -> RemoteWriteSender {
        let configuration = RemoteWriteConfiguration(
            url: "http://user:secret@receiver.test/api/v1/write", protocolVersion: protocolVersion,
            minBackoff: .milliseconds(30), maxBackoff: .seconds(5), retryOn429: retryOn429, shards: 1)
        let sender = try RemoteWriteSender(
            configuration: configuration, transport: transport, clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await sender.enqueue(families: families, timestampMilliseconds: 1_700_000_000_000)
        return sender
    }

    static func drain(_ sender: RemoteWriteSender) async -> Bool {
        let drained = await sender.flush(deadline: .now + .seconds(30))
        await sender.close()
        return drained
    }

    @Test func failuresARetryCanFixAreRetriedWithDoublingJitteredBackoff() async throws {
        let transport = ScriptedTransport(
            [
                .status(500), .error(.timeout(url: "u", limit: .seconds(1))), .status(503),
                .error(.network(curlCode: 7, message: "refused", url: "u")), .status(502), .status(204),
            ])
        let clock = TestClock()
        let sender = try await Self.sender(transport, clock)
        #expect(await Self.drain(sender))
        #expect(transport.requests.count == 6)
        // 30 ms doubling, each shortened by up to half of itself.
        let bounds: [Duration] = [
            .milliseconds(30), .milliseconds(60), .milliseconds(120), .milliseconds(240), .milliseconds(480),
        ]
        #expect(clock.sleeps.count == bounds.count)
        for (sleep, bound) in zip(clock.sleeps, bounds) {
            #expect(sleep <= bound && sleep >= bound / 2, "\(clock.sleeps)")
        }
        #expect(sender.counts.samplesSent[.v1] == 1)
        #expect(sender.counts.retries[.v1] == 5)
    }

    @Test func theWaitStopsDoublingAtMaxBackoff() async throws {
        let transport = ScriptedTransport(Array(repeating: .status(500), count: 12) + [.status(200)])
        let clock = TestClock()
        let sender = try await Self.sender(transport, clock)
        #expect(await Self.drain(sender))
        #expect(clock.sleeps.count == 12)
        #expect(clock.sleeps.allSatisfy { $0 <= .seconds(5) })
        #expect(clock.sleeps.suffix(4).allSatisfy { $0 >= .milliseconds(2500) }, "\(clock.sleeps)")
    }

    @Test func aRetryAfterOf429IsHonouredExactly() async throws {
        let transport = ScriptedTransport([.status(429, headers: [("Retry-After", "7")]), .status(204)])
        let clock = TestClock()
        let sender = try await Self.sender(transport, clock)
        #expect(await Self.drain(sender))
        #expect(clock.sleeps == [.seconds(7)])
        #expect(sender.counts.samplesSent[.v1] == 1)
    }

    @Test func a4xxDropsTheBatchAtOnceAnd429DoesWhenNotRetried() async throws {
        for (answer, retryOn429) in [(400, true), (429, false)] {
            let transport = ScriptedTransport([.status(answer, body: "out of bounds"), .status(204)])
            let clock = TestClock()
            let sender = try await Self.sender(transport, clock, retryOn429: retryOn429)
            #expect(await Self.drain(sender))
            #expect(transport.requests.count == 1)
            #expect(clock.sleeps.isEmpty)
            #expect(sender.counts.dropped[.v1]?[.receiverRejected] == 1)
            #expect(sender.queuedBatches == 0)
        }
    }

    @Test func problemsRetryingCannotFixAreRetriedSlowlyNotDropped() async throws {
        let transport = ScriptedTransport(
            [
                .error(.configuration("cannot read the CA file")),
                .error(.network(curlCode: 1, message: "unsupported protocol", url: "u")), .status(204),
            ])
        let clock = TestClock()
        let sender = try await Self.sender(transport, clock)
        #expect(await Self.drain(sender))
        #expect(clock.sleeps == [.seconds(5), .seconds(5)])
        #expect(sender.counts.samplesSent[.v1] == 1)
    }

    @Test func version2FallsBackTo1WithoutWaitingOn415OrAMissingWrittenHeader() async throws {
        for first: ScriptedTransport.Answer in [.status(415), .status(204)] {
            let transport = ScriptedTransport([first, .status(204)])
            let clock = TestClock()
            let sender = try await Self.sender(transport, clock, protocolVersion: .v2)
            #expect(await Self.drain(sender))
            #expect(clock.sleeps.isEmpty)
            #expect(transport.requests.map { $0.headers["X-Prometheus-Remote-Write-Version"] } == ["2.0.0", "0.1.0"])
            #expect(sender.protocolVersion == .v1)
            #expect(sender.counts.fallbacks == 1 && sender.counts.samplesSent[.v1] == 1)
        }
    }

    @Test func a2_0ReceiverThatConfirmsTheSamplesKeeps2_0() async throws {
        let transport = ScriptedTransport([.status(204, headers: [("X-Prometheus-Remote-Write-Samples-Written", "1")])])
        let sender = try await Self.sender(transport, TestClock(), protocolVersion: .v2)
        #expect(await Self.drain(sender))
        #expect(sender.protocolVersion == .v2 && sender.counts.samplesSent[.v2] == 1)
    }
}

/// Series are dealt to shards by the order they first appear, so a sender that reopens a
/// queue may put a series in another shard than the sender that queued its older samples.
@Suite struct ReplayOrderTests {
    static func families(_ names: [String]) -> [MetricFamily] {
        [
            MetricFamily(
                name: "m", type: .gauge, help: "M.",
                samples: names.map { Sample(name: "m", labels: Labels(["object": $0]), value: 1) })
        ]
    }

    static func sender(_ directory: String, _ transport: ScriptedTransport) throws -> RemoteWriteSender {
        let configuration = RemoteWriteConfiguration(
            url: "http://receiver.test/api/v1/write", maxSamplesPerSend: 1, minBackoff: .milliseconds(1),
            maxBackoff: .milliseconds(1), queueDirectory: directory, queueSync: .always, shards: 2)
        return try RemoteWriteSender(
            configuration: configuration, transport: transport, clock: TestClock(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func batchesReplayedFromDiskGoOutBeforeAnyNewOneOnEveryShard() async throws {
        let directory = try temporaryDirectory("replay-order")
        defer { removeDirectory(directory) }
        let earlier: Int64 = 1_700_000_000_000
        // The first sender queues one collection (a, b, c dealt to shards 0, 1, 0) and stops
        // before the receiver takes any of it.
        let first = try Self.sender(directory, ScriptedTransport([.status(500)]))
        try await first.enqueue(families: Self.families(["a", "b", "c"]), timestampMilliseconds: earlier)
        await first.close()
        // The next one meets x first, so c goes to shard 1 now, where only b is ahead of it;
        // on shard 0 the receiver fails a's first attempt, so c's older sample would go out
        // after its newer one if the shards did not wait for the replayed batches.
        let transport = ScriptedTransport([.status(500), .status(204)])
        let second = try Self.sender(directory, transport)
        try await second.enqueue(families: Self.families(["x", "c"]), timestampMilliseconds: earlier + 5000)
        #expect(await second.flush(deadline: .now + .seconds(30)))
        await second.close()
        let sent = try transport.requests.dropFirst().flatMap { request in
            try DecodedRequest.v1(compressed: request.body ?? []).series.map {
                "\($0.labels[1].value)@\($0.samples[0].timestamp - earlier)"
            }
        }
        #expect(Set(sent.prefix(3)) == ["a@0", "b@0", "c@0"], "\(sent)")
        #expect(Set(sent.suffix(2)) == ["x@5000", "c@5000"], "\(sent)")
    }
}
