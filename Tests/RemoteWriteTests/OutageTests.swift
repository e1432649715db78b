import Exposition
import Foundation
import Logging
import TestSupport
import Testing

@testable import RemoteWrite

/// Delivery across a receiver outage and an agent killed with SIGKILL: the agent's
/// part runs in a child process (this test binary, running `outageChild` only), so the
/// kill is real.
@Suite("Remote-write outage and crash", .serialized)
struct OutageTests {
    static let childEnvironment = "IPVS_PUSH_RW_OUTAGE_CHILD"

    /// The series each cycle sends, with values that say which cycle they are from.
    static func cycleFamilies(_ cycle: Int) -> [MetricFamily] {
        ipvsFamilies(services: 6, serversPerService: 3) { service, server in
            Double(cycle * 10_000 + service * 10 + server)
        }
    }

    static func configuration(url: String, queueDirectory: String) -> RemoteWriteConfiguration {
        var configuration = testConfiguration(url: url, shards: 3, queueDirectory: queueDirectory)
        configuration.maxSamplesPerSend = 7
        configuration.queueSync = .batched
        configuration.queueSegmentBytes = 4096
        return configuration
    }

    /// The agent's side, run by the parent test in a child process: enqueue one cycle
    /// every 100 ms, report progress in a file, then keep retrying until killed.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childEnvironment] != nil))
    func outageChild() async throws {
        let environment = ProcessInfo.processInfo.environment
        let parameters = try #require(environment[Self.childEnvironment]).split(separator: " ").map(String.init)
        let (url, queueDirectory, progressFile) = (parameters[0], parameters[1], parameters[2])
        let base = Int64(parameters[3])!
        let cycles = Int(parameters[4])!
        let sender = try RemoteWriteSender(
            configuration: Self.configuration(url: url, queueDirectory: queueDirectory), logger: silentLogger)
        let running = Task { await sender.run() }
        for cycle in 1...cycles {
            try await sender.enqueue(
                families: Self.cycleFamilies(cycle), timestampMilliseconds: base + Int64(cycle) * 1000)
            try "\(cycle) \(sender.queuedBatches)".write(toFile: progressFile, atomically: true, encoding: .utf8)
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(600))
        running.cancel()
    }

    @Test func nothingIsLostOrSentTwiceAcrossAnOutageAndASIGKILL() async throws {
        let victoria = try VictoriaMetricsProcess()
        try await victoria.start()
        let queueDirectory = try temporaryDirectory("outage-queue")
        defer { removeDirectory(queueDirectory) }
        let progressDirectory = try temporaryDirectory("outage-progress")
        defer { removeDirectory(progressDirectory) }
        let progressFile = progressDirectory + "/progress"
        let base = nowMilliseconds() - 120_000
        let cycles = 10

        var environment = ProcessInfo.processInfo.environment
        environment[Self.childEnvironment] = "\(victoria.writeURL) \(queueDirectory) \(progressFile) \(base) \(cycles)"
        let child = try ChildProcess(
            CommandLine.arguments[0], ["--testing-library", "swift-testing", "--filter", "outageChild"],
            environment: environment)
        defer { if child.isRunning { child.signal(SIGKILL) } }

        func progress() -> (cycle: Int, queued: Int) {
            let parts = ((try? String(contentsOfFile: progressFile, encoding: .utf8)) ?? "0 0").split(separator: " ")
            return (Int(parts.first ?? "0") ?? 0, Int(parts.last ?? "0") ?? 0)
        }
        // Cycles 1-3 reach the receiver; then it goes down for cycles 4-10.
        let seriesCount = Self.cycleFamilies(0).reduce(0) { $0 + $1.samples.count }
        try await waitUntil("the receiver has 3 cycles") {
            let stored = try await ReceiverQueries.victoriaExport(victoria.baseURL, "{__name__=~\"ipvs_.+\"}")
            return stored.reduce(0) { $0 + $1.points.count } >= 3 * seriesCount
        }
        await victoria.stop()
        try await waitUntil("the child enqueued every cycle") { progress().cycle == cycles }
        #expect(progress().queued > 0, "batches are waiting for the receiver")
        try await Task.sleep(for: .milliseconds(300))  // mid-retry
        child.signal(SIGKILL)
        #expect(try await child.finish(timeout: 30).signalled)

        // The receiver comes back; a new agent on the same queue directory delivers the rest.
        try await victoria.start()
        let sender = try RemoteWriteSender(
            configuration: Self.configuration(url: victoria.writeURL, queueDirectory: queueDirectory),
            logger: silentLogger)
        #expect(sender.queuedBatches > 0, "the killed agent's queue was replayed")
        #expect(await sender.flush(deadline: .now + .seconds(30)))
        await sender.close()
        #expect(sender.metric("ipvs_push_remote_write_queue_corrupt_records_total") == 0)

        let stored = try await ReceiverQueries.victoriaExport(victoria.baseURL, "{__name__=~\"ipvs_.+\"}")
        var expected: [[String: String]: [ReceiverQueries.Point]] = [:]
        for cycle in 1...cycles {
            for family in Self.cycleFamilies(cycle) {
                for sample in family.samples {
                    var labels = Dictionary(uniqueKeysWithValues: sample.labels.map { ($0.name, $0.value) })
                    labels["__name__"] = sample.name
                    expected[labels, default: []].append(
                        .init(timestamp: base + Int64(cycle) * 1000, value: sample.value))
                }
            }
        }
        #expect(stored.count == expected.count)
        var missing = 0
        var duplicated = 0
        for series in stored {
            let want = expected[series.labels] ?? []
            let timestamps = series.points.map(\.timestamp)
            duplicated += timestamps.count - Set(timestamps).count
            missing += want.count - Set(timestamps).intersection(want.map(\.timestamp)).count
            #expect(series.points == want, "\(series)")
        }
        #expect(missing == 0)
        #expect(duplicated == 0)
    }
}
