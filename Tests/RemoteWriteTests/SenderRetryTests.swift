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
