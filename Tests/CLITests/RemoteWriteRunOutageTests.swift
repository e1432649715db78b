import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ipvs-push run --remote-write` through everything that can go wrong at once: the receiver
/// (a real VictoriaMetrics) goes down, the agent is killed with SIGKILL during the outage and
/// started again on the same `--queue-dir`, then the receiver comes back. Every cycle the
/// agents ran must end up stored exactly once.
@Suite("run --remote-write: receiver outage and SIGKILLed agent")
struct RemoteWriteRunOutageTests {
    static let interval: Int64 = 1000
    /// How far apart two cycles of a running agent may be stored (1.5 intervals).
    static let maximumGap: Int64 = interval * 3 / 2

    static func milliseconds() -> Int64 { RemoteWriteSendTests.milliseconds() }

    @Test("every cycle stored once: none missing but the dead agent's, none twice, nothing dropped")
    func outageAndKill() async throws {
        let victoria = try await ExternalServer.victoriaMetrics()
        defer { victoria.stop() }
        let files = try ScratchFiles()
        let arguments = [
            "run", "--interval", "1s", "--remote-write", victoria.baseURL + "/api/v1/write", "--queue-dir",
            files.path("queue"), "--timeout", "2s", "--shutdown-grace", "10s",
        ]
        func upSamples() async throws -> [StoredSeries.Point] {
            try await ReceiverReadBack.victoria(victoria.baseURL, "ipvs_up").flatMap(\.points)
        }

        let started = Self.milliseconds()
        let first = try CLIRun.start(arguments)
        try await waitUntil("VictoriaMetrics holds 3 cycles", timeout: .seconds(15), poll: .milliseconds(250)) {
            try await upSamples().count >= 3
        }

        victoria.stop(removeData: false)
        try await Task.sleep(for: .seconds(3))  // cycles queued on disk during the outage
        first.signal(SIGKILL)
        let killed = Self.milliseconds()
        let firstResult = try await first.finish(timeout: 10)
        #expect(firstResult.signalled && firstResult.status == SIGKILL, "\(firstResult)")
        try await Task.sleep(for: .milliseconds(2500))  // the agent is dead: these cycles never happen

        let restarted = Self.milliseconds()
        let second = try CLIRun.start(arguments)
        try await Task.sleep(for: .seconds(3))  // more cycles queued behind the killed agent's
        try await victoria.restart()
        let back = Self.milliseconds()
        // Drained: a collection taken after the receiver came back reports an empty queue
        // (the self metrics are read before the collection itself is queued).
        try await waitUntil("the queue drained", timeout: .seconds(20), poll: .milliseconds(250)) {
            let queue = try await ReceiverReadBack.victoria(victoria.baseURL, "ipvs_push_remote_write_queue_batches")
            let latest = queue.flatMap(\.points).max { $0.timestamp < $1.timestamp }
            return latest.map { $0.timestamp > back && $0.value == 0 } ?? false
        }
        second.signal(SIGTERM)
        let stopped = Self.milliseconds()
        let secondResult = try await second.finish(timeout: 20)
        #expect(secondResult.status == 0 && !secondResult.signalled, "\(secondResult)")

        let up = try await ReceiverReadBack.victoria(victoria.baseURL, "ipvs_up")
        try #require(up.count == 1, "ipvs_up series: \(up.map(\.key))")
        #expect(up[0].labels == ["__name__": "ipvs_up"], "the empty namespace label must be left out: \(up[0].key)")
        let expectedUp: Double = HostIPVS.available ? 1 : 0
        #expect(up[0].points.allSatisfy { $0.value == expectedUp }, "\(up[0])")

        let times = up[0].points.map(\.timestamp)
        let context =
            "started \(started), killed \(killed), restarted \(restarted), receiver back \(back), stopped \(stopped): "
            + "\(times)\n\(firstResult)\n\(secondResult)"
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "not strictly increasing: \(context)")
        let earliest = try #require(times.first)
        let latest = try #require(times.last)
        #expect(earliest >= started && earliest <= started + 3000, "the first cycle: \(context)")
        #expect(latest <= stopped && latest >= stopped - Self.maximumGap - 500, "the last cycle: \(context)")
        // Gaps: at most 1.5 intervals, except the one around the dead agent, which must span
        // exactly the time between the kill and the restart (plus less than one interval and
        // a start on each side).
        let gaps = zip(times, times.dropFirst()).filter { $1 - $0 > Self.maximumGap }
        #expect(gaps.count == 1, "gaps larger than 1.5 intervals: \(gaps) in \(context)")
        if let gap = gaps.first {
            #expect(gap.0 <= killed && gap.0 >= killed - Self.maximumGap, "the dead agent's gap \(gap): \(context)")
            #expect(gap.1 >= restarted && gap.1 <= restarted + 3000, "the dead agent's gap \(gap): \(context)")
        }
        let ran = Double(killed - started + stopped - restarted) / Double(Self.interval)
        #expect(Double(times.count) >= ran - 4 && Double(times.count) <= ran + 2, "\(times.count) cycles for \(ran)s")

        // Every cycle's other series carries the very same times.
        let duration = try await ReceiverReadBack.victoria(victoria.baseURL, "ipvs_collect_duration_seconds")
        #expect(duration.count == 1 && duration.first?.points.map(\.timestamp) == times, "\(duration)")

        let dropped = try await ReceiverReadBack.victoria(
            victoria.baseURL, "ipvs_push_remote_write_samples_dropped_total")
        let reasons = Set(dropped.compactMap { $0.labels["reason"] })
        #expect(
            reasons == [
                "receiver_rejected", "queue_full", "duplicate_series", "invalid_series", "out_of_order",
                "queue_write_failed", "undecodable",
            ], "\(dropped.map(\.key))")
        let nonZero = dropped.filter { $0.points.contains { $0.value != 0 } }
        #expect(nonZero.isEmpty, "samples dropped: \(nonZero)")
    }
}
