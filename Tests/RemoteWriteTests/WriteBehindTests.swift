import Exposition
import Foundation
import TestSupport
import Testing

@testable import RemoteWrite

/// The on-disk queue's write-behind through the sender: what a healthy receiver costs in
/// writes, and what reaches the files when the receiver fails, hangs, or the sender stops.
@Suite("Remote-write queue write-behind")
struct WriteBehindTests {
    /// A receiver that acknowledges while `up` and answers 503 otherwise, keeping the
    /// bodies it acknowledged.
    struct Receiver {
        /// What the server's script and the test share.
        final class Book: @unchecked Sendable {
            let lock = NSLock()
            var up = true
            var acknowledged: [[UInt8]] = []
        }

        let book: Book
        let server: ScriptedHTTPServer

        init() throws {
            let book = Book()
            self.book = book
            server = try ScriptedHTTPServer { _, request in
                book.lock.withLock {
                    guard book.up else { return .text(503, "down") }
                    book.acknowledged.append(request.body)
                    return .respond(status: 204)
                }
            }
        }

        var url: String { server.url("/api/v1/write") }

        func set(up: Bool) { book.lock.withLock { book.up = up } }

        /// The timestamps each series was acknowledged with, in the order of the requests.
        func timestamps() throws -> [String: [Int64]] {
            var result: [String: [Int64]] = [:]
            for body in book.lock.withLock({ book.acknowledged }) {
                for series in try DecodedRequest.v1(compressed: body).series {
                    result["\(series.labels)", default: []] += series.samples.map(\.timestamp)
                }
            }
            return result
        }
    }

    static func configuration(_ url: String, _ directory: String, writeBehind: Duration = .seconds(60))
        -> RemoteWriteConfiguration
    {
        var configuration = testConfiguration(url: url, shards: 2, queueDirectory: directory)
        configuration.queueWriteBehind = writeBehind
        return configuration
    }

    static func collection(_ cycle: Int) -> [MetricFamily] {
        ipvsFamilies(services: 3, serversPerService: 2) { service, server in
            Double(cycle * 100 + service * 10 + server)
        }
    }

    static let seriesCount = collection(0).reduce(0) { $0 + $1.samples.count }

    /// The bytes of every segment file under `directory`.
    static func segmentBytes(_ directory: String) -> Int {
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".seg") }.reduce(0) { total, path in
            let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + path)[.size]) as? Int
            return total + (size ?? 0)
        }
    }

    @Test(arguments: [true, false])
    func aReceiverThatKeepsUpCostsNoWritesAfterItsFirstAcknowledgement(writeBehind: Bool) async throws {
        let receiver = try Receiver()
        let directory = try temporaryDirectory("write-behind-healthy")
        defer { removeDirectory(directory) }
        let sender = try RemoteWriteSender(
            configuration: Self.configuration(receiver.url, directory, writeBehind: writeBehind ? .seconds(60) : .zero),
            logger: silentLogger)
        let (written, onDisk) = try await whileRunning(sender) {
            // Before the receiver's first acknowledgement the queue writes what it queues.
            try await sender.enqueue(families: Self.collection(1), timestampMilliseconds: 1_000)
            try await waitUntil("the first collection delivered") { sender.queuedBatches == 0 }
            let written = try #require(sender.metric("ipvs_push_remote_write_queue_written_bytes_total"))
            #expect(written > 0)
            let onDisk = Self.segmentBytes(directory)
            for cycle in 2...10 {
                try await sender.enqueue(families: Self.collection(cycle), timestampMilliseconds: Int64(cycle) * 1000)
                try await waitUntil("collection \(cycle) delivered") { sender.queuedBatches == 0 }
            }
            return (written, onDisk)
        }
        let after = try #require(sender.metric("ipvs_push_remote_write_queue_written_bytes_total"))
        if writeBehind {
            #expect(after == written, "nothing written while the receiver keeps up")
            #expect(Self.segmentBytes(directory) == onDisk, "no record in the segment files")
        } else {
            #expect(after > written + 9 * 100, "write-through writes every collection")
        }
        #expect(sender.metric("ipvs_push_remote_write_samples_sent_total") == Double(10 * Self.seriesCount))
        #expect(sender.metric("ipvs_push_remote_write_queue_held_bytes") == 0)
        for (series, seen) in try receiver.timestamps() {
            #expect(seen == (1...10).map { Int64($0) * 1000 }, "\(series)")
        }
        await sender.close()
    }

    /// A failed attempt writes what is held and every later collection before `enqueue`
    /// returns, so a sender that dies (dropped without `close()`, as after SIGKILL) loses
    /// nothing: the next one on the directory delivers every sample once, in order.
    @Test func failedAttemptsPutTheBatchesOnDiskAndADeadSenderLosesNone() async throws {
        let receiver = try Receiver()
        let directory = try temporaryDirectory("write-behind-outage")
        defer { removeDirectory(directory) }
        let configuration = Self.configuration(receiver.url, directory)
        var first: RemoteWriteSender? = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        try await whileRunning(first!) {
            for cycle in 1...3 {
                try await first!.enqueue(families: Self.collection(cycle), timestampMilliseconds: Int64(cycle) * 1000)
                try await waitUntil("collection \(cycle) delivered") { first!.queuedBatches == 0 }
            }
            receiver.set(up: false)
            try await first!.enqueue(families: Self.collection(4), timestampMilliseconds: 4_000)
            try await waitUntil("an attempt failed and what was held is written") {
                (first!.metric("ipvs_push_remote_write_retries_total") ?? 0) > 0
                    && first!.queue.snapshot.heldBatches == 0
            }
            for cycle in 5...6 {
                try await first!.enqueue(families: Self.collection(cycle), timestampMilliseconds: Int64(cycle) * 1000)
                #expect(first!.queue.snapshot.heldBatches == 0, "on disk once enqueue returns")
            }
        }
        #expect(first!.queuedBatches > 0)
        first = nil  // no close(): what a SIGKILL leaves

        receiver.set(up: true)
        let second = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        #expect(second.queuedBatches > 0, "the dead sender's queue is replayed")
        #expect(await second.flush(deadline: .now + .seconds(60)))
        await second.close()
        let timestamps = try receiver.timestamps()
        #expect(timestamps.count == Self.seriesCount)
        for (series, seen) in timestamps {
            #expect(seen == (1...6).map { Int64($0) * 1000 }, "\(series): every sample once, in order")
        }
    }

    /// A receiver that takes the request and never answers: after the write-behind bound
    /// the batch is on disk, long before the remote timeout gives up on the request.
    @Test func aHangingReceiversBatchIsOnDiskAfterTheBound() async throws {
        let receiver = try ScriptedHTTPServer([.respond(status: 204), .hang(seconds: 60)])
        defer { receiver.stop() }
        let directory = try temporaryDirectory("write-behind-hang")
        defer { removeDirectory(directory) }
        var configuration = Self.configuration(
            receiver.url("/api/v1/write"), directory, writeBehind: .seconds(1))
        configuration.shards = 1
        configuration.transport.timeout = .seconds(60)
        var first: RemoteWriteSender? = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        try await whileRunning(first!) {
            try await first!.enqueue(families: Self.collection(1), timestampMilliseconds: 1_000)
            try await waitUntil("the first collection delivered") { first!.queuedBatches == 0 }
            let onDisk = Self.segmentBytes(directory)
            try await first!.enqueue(families: Self.collection(2), timestampMilliseconds: 2_000)
            #expect(first!.queue.snapshot.heldBatches == 1, "held while the receiver keeps up")
            try await waitUntil("the request hangs") { receiver.requests.count == 2 }
            try await waitUntil("the hanging request's batch is written", timeout: .seconds(30)) {
                first!.queue.snapshot.heldBatches == 0
            }
            #expect(Self.segmentBytes(directory) > onDisk)
            #expect(first!.metric("ipvs_push_remote_write_retries_total") == 0, "the request is still in flight")
        }
        first = nil  // no close(): what a SIGKILL leaves

        let second = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        #expect(second.queuedBatches == 1)
        let replayed = try #require(try await second.queue.head(shard: 0))
        let series = try DecodedRequest.v1(compressed: replayed.payload).series
        #expect(series.count == Self.seriesCount && series.allSatisfy { $0.samples.map(\.timestamp) == [2_000] })
        await second.close()
    }

    /// Stopping gracefully writes what is held (collections not yet sent); only a sender
    /// dropped without `close()` loses them.
    @Test(arguments: [true, false])
    func closingWritesTheHeldBatchesForTheNextSender(closing: Bool) async throws {
        let receiver = try Receiver()
        let directory = try temporaryDirectory("write-behind-close")
        defer { removeDirectory(directory) }
        let configuration = Self.configuration(receiver.url, directory)
        do {
            let first = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
            try await first.enqueue(families: Self.collection(1), timestampMilliseconds: 1_000)
            #expect(await first.flush(deadline: .now + .seconds(60)))
            // No `run()`: nothing sends these two.
            try await first.enqueue(families: Self.collection(2), timestampMilliseconds: 2_000)
            try await first.enqueue(families: Self.collection(3), timestampMilliseconds: 3_000)
            #expect(first.queue.snapshot.heldBatches == first.queuedBatches && first.queuedBatches > 0)
            #expect((first.metric("ipvs_push_remote_write_queue_held_bytes") ?? 0) > 0)
            if closing { await first.close() }
        }
        let second = try RemoteWriteSender(configuration: configuration, logger: silentLogger)
        #expect(await second.flush(deadline: .now + .seconds(60)))
        await second.close()
        for (series, seen) in try receiver.timestamps() {
            #expect(seen == (closing ? [1_000, 2_000, 3_000] : [1_000]), "\(series)")
        }
    }

    @Test(arguments: [Duration.seconds(-1), .seconds(61)])
    func aWriteBehindBoundOutsideZeroToAMinuteIsRefused(bound: Duration) throws {
        var configuration = testConfiguration(url: "http://127.0.0.1:1/api/v1/write")
        configuration.queueWriteBehind = bound
        #expect(throws: RemoteWriteError.self) { try configuration.validate() }
        configuration.queueWriteBehind = .zero
        try configuration.validate()
        configuration.queueWriteBehind = .seconds(60)
        try configuration.validate()
    }
}
