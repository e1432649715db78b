import Exposition
import Foundation
import TestSupport
import Testing

@testable import RemoteWrite

/// Timing of encoding and queueing a large collection, run on demand only
/// (`IPVS_PUSH_RW_BENCHMARK=1`): numbers, not pass/fail.
@Suite("Remote-write benchmark", .enabled(if: ProcessInfo.processInfo.environment["IPVS_PUSH_RW_BENCHMARK"] != nil))
struct EncodingBenchmark {
    /// 400,000 series: 20,000 services with 10 real servers, two families per server.
    static let families = ipvsFamilies(services: 20_000, serversPerService: 10)

    @Test(arguments: [RemoteWriteProtocol.v1, .v2], [false, true])
    func enqueue400kSeries(protocolVersion: RemoteWriteProtocol, onDisk: Bool) async throws {
        let directory = onDisk ? try temporaryDirectory("bench") : nil
        defer { removeDirectory(directory) }
        var configuration = testConfiguration(
            url: "http://127.0.0.1:1/api/v1/write", protocolVersion: protocolVersion, shards: 4,
            queueDirectory: directory)
        configuration.queueMaxBytes = 4 << 30
        configuration.queueSync = .batched
        let sender = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        let samples = Self.families.reduce(0) { $0 + $1.samples.count }
        var lines: [String] = []
        for cycle in 1...3 {
            let start = ContinuousClock.now
            let cpuStart = Self.cpuSeconds()
            try await sender.enqueue(families: Self.families, timestampMilliseconds: Int64(cycle) * 15_000)
            let elapsed = ContinuousClock.now - start
            let cpu = Self.cpuSeconds() - cpuStart
            lines.append("cycle \(cycle): \(elapsed) wall, \((cpu * 1000).rounded() / 1000) s CPU")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        lines.append("max RSS \(usage.ru_maxrss / 1024) MiB")
        let snapshot = sender.queue.snapshot
        print(
            "BENCH protocol=\(protocolVersion.rawValue) disk=\(onDisk) samples=\(samples) batches=\(snapshot.batches) "
                + "bytes=\(snapshot.bytes) (\(snapshot.bytes / max(snapshot.batches, 1)) per batch) "
                + lines.joined(separator: ", "))
    }

    /// Also what the queue directory takes per sample sent, written behind (the default)
    /// and written through.
    @Test(arguments: [RemoteWriteProtocol.v1], [Duration.seconds(2), .zero])
    func deliver400kSeriesToVictoriaMetrics(protocolVersion: RemoteWriteProtocol, writeBehind: Duration) async throws {
        let victoria = try await ExternalServer.victoriaMetrics()
        defer { stopInBackground(victoria) }
        let directory = try temporaryDirectory("bench-send")
        defer { removeDirectory(directory) }
        var configuration = testConfiguration(
            url: victoria.baseURL + "/api/v1/write", protocolVersion: protocolVersion, shards: 4,
            queueDirectory: directory, timeout: .seconds(30))
        configuration.queueMaxBytes = 4 << 30
        configuration.queueWriteBehind = writeBehind
        let sender = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        let base = nowMilliseconds() - 60_000
        let cycles = 3
        var lines: [String] = []
        for cycle in 1...cycles {
            try await sender.enqueue(families: Self.families, timestampMilliseconds: base + Int64(cycle) * 15_000)
            let start = ContinuousClock.now
            let delivered = await sender.flush(deadline: .now + .seconds(300))
            lines.append(
                "cycle \(cycle): delivered=\(delivered) in \(ContinuousClock.now - start), "
                    + "queue written \(sender.queue.snapshot.writtenBytes) bytes so far")
        }
        let stored = try await ReceiverQueries.victoriaExport(victoria.baseURL, "{__name__=~\"ipvs_.+\"}")
        let points = stored.reduce(0) { $0 + $1.points.count }
        let sent = sender.metric("ipvs_push_remote_write_samples_sent_total") ?? 0
        let written = sender.metric("ipvs_push_remote_write_queue_written_bytes_total") ?? 0
        print(
            "BENCH-SEND write-behind=\(writeBehind) series=\(stored.count) points=\(points) "
                + "queue written \((written / sent * 100).rounded() / 100) bytes per sample sent; "
                + lines.joined(separator: ", "))
        await sender.close()
        #expect(points == cycles * Self.families.reduce(0) { $0 + $1.samples.count })
    }

    /// User and system CPU time of the whole process (nothing else runs during an
    /// enqueue here: no `run()` task, so no sending).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
