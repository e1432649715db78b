import Dispatch
import Exposition
import Foundation
import HTTPTransport
import Logging
import TimeUnits

/// Delivers collections to one remote-write receiver: encodes them (1.0 or 2.0),
/// queues the compressed batches (on disk when a queue directory is configured), and
/// drains the queue with one request in flight per shard, retrying until the receiver
/// acknowledges each batch.
///
/// Use: `enqueue(families:timestampMilliseconds:)` after each collection; `run()` in a
/// task for the agent's lifetime (cancel it to stop); `flush(deadline:)` then
/// `close()` at shutdown; `selfMetrics()` for the pull endpoint. A batch is removed
/// from the queue only after a 2xx (or when it is dropped: a 4xx rejection, the size
/// bound). With a queue directory, a graceful stop loses nothing that was enqueued and
/// resends nothing acknowledged; so does a SIGKILL once the sender has seen its receiver
/// fail or lag. While the receiver keeps up, batches are written only if their first
/// attempt is not acknowledged soon (write-behind, ``BatchQueue``): a SIGKILL then loses
/// the batches not yet acknowledged, at most `heldBytesLimit` bytes and none whose
/// request has been unanswered for longer than `queueWriteBehind`.
public final class RemoteWriteSender: Sendable {
    public let configuration: RemoteWriteConfiguration
    private let transport: any RequestTransport
    private let logger: Logger
    let queue: BatchQueue
    private let encoder: EncoderBox
    private let encoderQueue = DispatchQueue(label: "ipvs-push.remote-write.encoder")
    private let statistics = SendStatistics()
    private let state: SenderState
    private let signals: [WakeSignal]
    /// Retries until the receiver acknowledges or rejects a batch (no attempt limit).
    private let retries: RetryLoop

    /// Builds the sender and opens (replaying) its queue. With `queueDirectory` set the
    /// queue lives in `queueDirectory/<QueueDirectoryName.name(for: url)>`.
    public convenience init(configuration: RemoteWriteConfiguration, logger: Logger) throws {
        try configuration.validate()
        var transport = configuration.transport
        transport.maxIdleHandles = max(transport.maxIdleHandles, configuration.shards)
        try self.init(
            configuration: configuration, transport: HTTPClient(configuration: transport, logger: logger),
            clock: ContinuousClock(), logger: logger)
    }

    /// The sender over any transport, waiting between retries on `clock` (tests script both).
    init(
        configuration: RemoteWriteConfiguration, transport: any RequestTransport, clock: any Clock<Duration>,
        logger: Logger
    ) throws {
        try configuration.validate()
        self.transport = transport
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "remote_write.url"] = "\(configuration.redactedURL)"
        if let name = configuration.name { logger[metadataKey: "remote_write.name"] = "\(name)" }
        self.logger = logger
        let directory = configuration.queueDirectory.map {
            ($0.hasSuffix("/") ? String($0.dropLast()) : $0) + "/" + QueueDirectoryName.name(for: configuration.url)
        }
        queue = try BatchQueue(
            directory: directory, shardCount: configuration.shards, maxBytes: configuration.queueMaxBytes,
            segmentBytes: configuration.queueSegmentBytes, sync: configuration.queueSync,
            writeBehind: configuration.queueWriteBehind,
            heldBytesLimit: min(configuration.queueMaxBytes, Self.heldBytesLimit), logger: logger)
        encoder = EncoderBox(
            CollectionEncoder(
                externalLabels: configuration.externalLabels, shardCount: queue.shardCount,
                maxSamplesPerSend: configuration.maxSamplesPerSend, relabeler: try configuration.makeRelabeler()))
        state = SenderState(protocolVersion: configuration.protocolVersion)
        signals = (0..<queue.shardCount).map { _ in WakeSignal() }
        retries = RetryLoop(
            policy: RetryPolicy(
                minBackoff: configuration.minBackoff, maxBackoff: configuration.maxBackoff, maxAttempts: nil,
                retryOn429: configuration.retryOn429, jitter: 0.5),
            clock: clock)
    }

    /// The most bytes of batches an on-disk queue holds in memory only (write-behind), or
    /// `queueMaxBytes` if less: two collections of 600,000 series (13 MB each in 1.0), so
    /// that a collection is still held while the one before it is being sent, and not much
    /// more for a SIGKILL to lose.
    static let heldBytesLimit = 32 << 20

    /// The protocol new batches are encoded with: the configured one, or 1.0 after a
    /// 2.0 sender fell back.
    public var protocolVersion: RemoteWriteProtocol { state.protocolVersion }

    /// Batches waiting for the receiver.
    public var queuedBatches: Int { queue.snapshot.batches }

    /// What was sent, failed, retried and dropped so far.
    var counts: SendStatistics.Counts { statistics.snapshot }

    /// Shards in use: the configured count, or the count an on-disk queue was written
    /// with while it still holds batches.
    public var shardCount: Int { queue.shardCount }

    // MARK: Enqueueing

    /// Encodes one collection taken at `timestampMilliseconds` (since the epoch; a
    /// sample's own timestamp wins) into batches and queues them. Series that were in
    /// the previous collection and are missing now get a staleness marker. Returns when
    /// the batches are queued (on disk: written, and synced unless the sync policy is
    /// `.never`, except while the receiver keeps up: see ``BatchQueue``). Encoding runs on
    /// a dispatch queue of its own, one collection at a time, and each collection is
    /// queued before the next is encoded, so concurrent calls cannot put a series' samples
    /// out of order (a sample not newer than the last one of its series is dropped as
    /// `out_of_order`).
    ///
    /// `oneShot`: this is the sender's only collection and no two of its samples are one
    /// series (`send`, whose reader refused repeats), so nothing needs remembering
    /// (``CollectionEncoder/encodeOnce(_:timestamp:protocolVersion:)``).
    public func enqueue(families: [MetricFamily], timestampMilliseconds: Int64, oneShot: Bool = false) async throws {
        let protocolVersion = state.protocolVersion
        let encoder = encoder
        let queue = queue
        // Encoding and appending form one step on the encoder queue, so collections
        // enqueued concurrently still reach the queue in the order they were encoded
        // (the order of each series' timestamps).
        let outcome:
            (collection: Result<EncodedCollection, RemoteWriteError>, appended: Result<Void, RemoteWriteError>) =
                await withCheckedContinuation { continuation in
                    encoderQueue.async {
                        let collection = Result { () throws(RemoteWriteError) -> EncodedCollection in
                            oneShot
                                ? try encoder.value.encodeOnce(
                                    families, timestamp: timestampMilliseconds, protocolVersion: protocolVersion)
                                : try encoder.value.encode(
                                    families, timestamp: timestampMilliseconds, protocolVersion: protocolVersion)
                        }
                        var appended: Result<Void, RemoteWriteError> = .success(())
                        if case .success(let encoded) = collection {
                            appended = Result { () throws(RemoteWriteError) in try queue.appendBlocking(encoded.batches)
                            }
                        }
                        continuation.resume(returning: (collection, appended))
                    }
                }
        let collection = try outcome.collection.get()
        defer {
            for shard in Set(collection.batches.map(\.shard)) { signals[shard].signal() }
        }
        for (reason, count) in collection.dropped {
            statistics.dropped(protocolVersion, reason, samples: count)
            // Warn the first time per reason; the same problem usually repeats every collection.
            let level: Logger.Level = statistics.firstDrop(reason) ? .warning : .debug
            logger.log(
                level: level, "remote-write samples dropped before sending",
                metadata: ["remote_write.reason": "\(reason.rawValue)", "remote_write.samples": "\(count)"])
        }
        statistics.staleMarkersQueued(collection.staleMarkers)
        try outcome.appended.get()
    }

    // MARK: Draining

    /// Sends queued batches until the task is cancelled, one request in flight per
    /// shard. Returns at once if another `run()` or a `flush` is already draining.
    public func run() async {
        guard state.beginDraining() else {
            logger.warning("remote-write sender is already running; a second run() returns at once")
            return
        }
        defer { state.endDraining() }
        await drainAll(untilEmpty: false)
    }

    /// Waits until every queued batch has been acknowledged (or dropped), or until
    /// `deadline`; true when the queue is empty. While `run()` is active it only
    /// waits; otherwise it drains the queue itself until empty or the deadline.
    @discardableResult
    public func flush(deadline: ContinuousClock.Instant) async -> Bool {
        if state.beginDraining() {
            defer { state.endDraining() }
            let drain = Task { await self.drainAll(untilEmpty: true) }
            let timer = Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                drain.cancel()
            }
            await withTaskCancellationHandler {
                await drain.value
            } onCancel: {
                drain.cancel()
            }
            timer.cancel()
        } else {
            while !queue.snapshot.isEmpty && ContinuousClock.now < deadline && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        return queue.snapshot.isEmpty
    }

    /// Makes `run()` return once the requests in flight are answered, without starting
    /// another: for handing the queue to another sender (a reload that reopens it). A
    /// request cancelled halfway may have been stored by the receiver without the answer
    /// reaching the queue, and would then be sent again, twice in the receiver.
    public func stopAfterRequestsInFlight() {
        state.requestStop()
        for signal in signals { signal.signal() }
    }

    /// Writes the batches held in memory to the queue directory and closes its files
    /// (syncing the acknowledgement cursor). Call after `run()` and `flush` have returned;
    /// the sender cannot be used afterwards.
    public func close() async {
        await queue.close()
    }

    private func drainAll(untilEmpty: Bool) async {
        await withTaskGroup(of: Void.self) { group in
            for shard in 0..<queue.shardCount {
                group.addTask { await self.drain(shard: shard, untilEmpty: untilEmpty) }
            }
        }
    }

    private func drain(shard: Int, untilEmpty: Bool) async {
        while !Task.isCancelled && !state.isStopping {
            let batch: QueuedBatch?
            do {
                batch = try await queue.head(shard: shard)
            } catch {
                if queue.snapshot.isClosed { return }
                logger.error(
                    "remote-write queue cannot be read: \(error)", metadata: ["remote_write.shard": "\(shard)"])
                try? await Task.sleep(for: configuration.maxBackoff)
                continue
            }
            guard let batch else {
                if untilEmpty { return }
                await signals[shard].wait()
                continue
            }
            if batch.sequence >= queue.replayEnd {
                // Batches replayed from disk go first, on every shard: their encoder may have
                // dealt a series to another shard than this one, and a series' newer sample
                // must not reach the receiver before its older ones.
                guard await waitForReplay() else { return }
            }
            guard await deliver(batch) else { return }
        }
    }

    /// Waits until no shard holds a batch replayed from disk; false when cancelled or
    /// stopping first.
    private func waitForReplay() async -> Bool {
        while !queue.replayDrained {
            guard !Task.isCancelled, !state.isStopping, !queue.snapshot.isClosed else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// How delivering one batch ended.
    private enum Delivery {
        /// The receiver acknowledged it: off the queue.
        case acknowledged
        /// The receiver rejected it, or it cannot be re-encoded: off the queue.
        case finished
        /// The queue dropped it meanwhile (its bound).
        case gone
        /// The sender is stopping; the batch stays queued.
        case stopping
    }

    /// Sends one batch until it is acknowledged, rejected or dropped from the queue
    /// meanwhile; false when cancelled or stopping first. Failures a retry can fix are
    /// retried with the policy's backoff; configuration problems and permanent curl
    /// errors too, slowly (`maxBackoff`) and loudly, since dropping the batch would lose
    /// data someone may be about to fix.
    private func deliver(_ batch: QueuedBatch) async -> Bool {
        var payload = batch.payload
        var protocolVersion = batch.protocolVersion
        func switchToV1() -> Bool {
            do {
                payload = try RequestTranscoder.v2ToV1(payload)
                protocolVersion = .v1
                return true
            } catch {
                statistics.dropped(.v2, .undecodable, samples: batch.sampleCount)
                logger.error("remote-write batch cannot be re-encoded as 1.0; dropped: \(error)")
                return false
            }
        }
        if protocolVersion == .v2, state.protocolVersion == .v1, !switchToV1() {
            return await remove(batch)
        }
        let policy = retries.policy
        let maxBackoff = configuration.maxBackoff
        let logRetry: (RetryAttempt) -> Void = { [logger] retry in
            let message: Logger.Message = "remote-write request failed; retrying"
            let metadata: Logger.Metadata = [
                "error": "\(retry.error)", "remote_write.attempt": "\(retry.failedAttempt)",
                "remote_write.retry_in_ms": "\(retry.delay.milliseconds)",
            ]
            if case .permanent = policy.decide(.failure(retry.error)) {
                logger.error(message, metadata: metadata)
            } else if retry.failedAttempt == 1 || retry.failedAttempt % 10 == 0 {
                logger.warning(message, metadata: metadata)
            } else {
                logger.debug(message, metadata: metadata)
            }
        }
        let delivery: Delivery
        do {
            delivery = try await retries.run(cancelledURL: configuration.redactedURL, onRetry: logRetry) {
                attempt -> RetryLoop.Step<Delivery> in
                // A fallback to 1.0 resends at once, within the same attempt: it is no failure.
                while true {
                    guard !state.isStopping else { return .done(.stopping) }
                    guard queue.contains(shard: batch.shard, sequence: batch.sequence) else { return .done(.gone) }
                    let request = HTTPRequest(
                        method: .post, url: configuration.url,
                        headers: RemoteWriteHeaders.fields(for: protocolVersion, tenant: configuration.tenant),
                        body: payload)
                    let error: HTTPTransportError
                    do throws(HTTPTransportError) {
                        let response = try await transport.perform(request)
                        if protocolVersion == .v2 && response.headers[RemoteWriteHeaders.samplesWritten] == nil {
                            fallBack(
                                because:
                                    "it answered HTTP \(response.status) without \(RemoteWriteHeaders.samplesWritten)")
                            guard switchToV1() else { return .done(.finished) }
                            continue
                        }
                        statistics.sent(protocolVersion, samples: batch.sampleCount)
                        if attempt > 1 {
                            logger.info(
                                "remote-write receiver reachable again",
                                metadata: ["remote_write.failed_attempts": "\(attempt - 1)"])
                        }
                        return .done(.acknowledged)
                    } catch let failure {
                        error = failure
                    }
                    switch policy.decide(.failure(error)) {
                    case .success:
                        return .done(.finished)
                    case .retry(let error, let retryAfter):
                        statistics.failed(protocolVersion, samples: batch.sampleCount, retrying: true)
                        await queue.spillHeld()
                        return .retry(error, retryAfter: retryAfter)
                    case .permanent(.cancelled):
                        return .fail(error)
                    case .permanent(.status(let failure)) where failure.status == 415 && protocolVersion == .v2:
                        fallBack(because: "it answered HTTP 415 Unsupported Media Type")
                        guard switchToV1() else { return .done(.finished) }
                    case .permanent(.status(let failure)):
                        statistics.failed(protocolVersion, samples: batch.sampleCount, retrying: false)
                        statistics.dropped(protocolVersion, .receiverRejected, samples: batch.sampleCount)
                        logger.error(
                            "remote-write receiver rejected a batch; dropped it (sending it again cannot succeed)",
                            metadata: [
                                "http.status": "\(failure.status)", "remote_write.samples": "\(batch.sampleCount)",
                                "http.response_body": "\(failure.body)",
                            ])
                        return .done(.finished)
                    case .permanent(let error):
                        statistics.failed(protocolVersion, samples: batch.sampleCount, retrying: true)
                        await queue.spillHeld()
                        return .retry(error, after: maxBackoff)
                    }
                }
            }
        } catch {
            return false
        }
        switch delivery {
        case .acknowledged: return await remove(batch, acknowledged: true)
        case .finished: return await remove(batch)
        case .gone: return true
        case .stopping: return false
        }
    }

    private func remove(_ batch: QueuedBatch, acknowledged: Bool = false) async -> Bool {
        do {
            try await queue.remove(shard: batch.shard, sequence: batch.sequence, acknowledged: acknowledged)
        } catch {
            logger.error("remote-write queue cannot record an acknowledgement: \(error)")
        }
        return true
    }

    private func fallBack(because reason: String) {
        guard state.fallBackToV1() else { return }
        statistics.fellBack()
        logger.warning(
            "remote-write receiver does not accept protocol 2.0 (\(reason)); falling back to 1.0 for this URL")
    }

    // MARK: Self metrics

    /// The sender's own metrics, labelled with the URL (without credentials):
    ///
    /// - `ipvs_push_remote_write_samples_sent_total{protocol,url}`: samples in batches
    ///   the receiver acknowledged (2xx).
    /// - `ipvs_push_remote_write_batches_sent_total{protocol,url}`: those batches.
    /// - `ipvs_push_remote_write_samples_failed_total{protocol,url}`: samples in
    ///   attempts that failed, counted once per attempt.
    /// - `ipvs_push_remote_write_samples_dropped_total{protocol,reason,url}`: samples
    ///   never delivered, by ``DropReason``.
    /// - `ipvs_push_remote_write_retries_total{protocol,url}`: attempts repeated after a
    ///   network error, timeout, 5xx or 429.
    /// - `ipvs_push_remote_write_stale_markers_total{url}`: staleness markers queued.
    /// - `ipvs_push_remote_write_protocol_fallbacks_total{url}`: 2.0 to 1.0 fallbacks.
    /// - `ipvs_push_remote_write_queue_bytes{url}`, `..._queue_batches{url}`,
    ///   `..._queue_max_bytes{url}`, `..._shards{url}`: the queue now.
    /// - `ipvs_push_remote_write_queue_corrupt_records_total{url}`: damaged records
    ///   found in the on-disk queue (skipped).
    /// - `ipvs_push_remote_write_queue_written_bytes_total{url}`: bytes written to the
    ///   queue directory (records, segment headers, cursors): divided by the samples sent,
    ///   what the queue writes per sample; 0 without a directory.
    /// - `ipvs_push_remote_write_queue_held_bytes{url}`: bytes of queued batches held in
    ///   memory only (write-behind), which a SIGKILL would lose.
    /// - `ipvs_push_remote_write_last_success_timestamp_seconds{url}`: the last 2xx,
    ///   0 before the first.
    public func selfMetrics() -> [MetricFamily] {
        let counts = statistics.snapshot
        let snapshot = queue.snapshot
        let url = configuration.redactedURL
        var protocols: Set<RemoteWriteProtocol> = [configuration.protocolVersion, state.protocolVersion]
        for (version, _) in counts.samplesSent { protocols.insert(version) }
        for (version, _) in counts.dropped { protocols.insert(version) }
        for (version, _) in snapshot.droppedForSpace { protocols.insert(version) }
        let ordered = RemoteWriteProtocol.allCases.filter { protocols.contains($0) }
        let urlOnly = Labels(presorted: [Label("url", url)])
        func perProtocol(_ metric: MetricDescriptor, _ values: [RemoteWriteProtocol: Int]) -> MetricFamily {
            metric.family(
                ordered.map { version in
                    (
                        Labels(presorted: [Label("protocol", version.rawValue), Label("url", url)]),
                        Double(values[version] ?? 0)
                    )
                })
        }
        let dropped = SelfMetrics.samplesDropped.family(
            ordered.flatMap { version in
                DropReason.allCases.map { reason in
                    (
                        Labels(presorted: [
                            Label("protocol", version.rawValue), Label("reason", reason.rawValue), Label("url", url),
                        ]), Double(droppedSamples(version, reason, counts: counts, queue: snapshot))
                    )
                }
            })
        return [
            perProtocol(SelfMetrics.samplesSent, counts.samplesSent),
            perProtocol(SelfMetrics.batchesSent, counts.batchesSent),
            perProtocol(SelfMetrics.samplesFailed, counts.samplesFailed),
            dropped,
            perProtocol(SelfMetrics.retries, counts.retries),
            SelfMetrics.staleMarkers.family(urlOnly, Double(counts.staleMarkers)),
            SelfMetrics.protocolFallbacks.family(urlOnly, Double(counts.fallbacks)),
            SelfMetrics.queueBytes.family(urlOnly, Double(snapshot.bytes)),
            SelfMetrics.queueBatches.family(urlOnly, Double(snapshot.batches)),
            SelfMetrics.queueMaxBytes.family(urlOnly, Double(configuration.queueMaxBytes)),
            SelfMetrics.shards.family(urlOnly, Double(queue.shardCount)),
            SelfMetrics.queueCorruptRecords.family(urlOnly, Double(snapshot.corruptRecords)),
            SelfMetrics.queueWrittenBytes.family(urlOnly, Double(snapshot.writtenBytes)),
            SelfMetrics.queueHeldBytes.family(urlOnly, Double(snapshot.heldBytes)),
            SelfMetrics.lastSuccess.family(urlOnly, counts.lastSuccess ?? 0),
        ]
    }

    /// Samples the receiver refused with a 4xx (dropped, not retried), over both protocols.
    public var samplesRejectedByReceiver: Int {
        let counts = statistics.snapshot
        return RemoteWriteProtocol.allCases.reduce(0) { $0 + (counts.dropped[$1]?[.receiverRejected] ?? 0) }
    }

    private func droppedSamples(
        _ version: RemoteWriteProtocol, _ reason: DropReason, counts: SendStatistics.Counts, queue: QueueSnapshot
    ) -> Int {
        var value = counts.dropped[version]?[reason] ?? 0
        if reason == .queueFull { value += queue.droppedForSpace[version] ?? 0 }
        if reason == .queueWriteFailed { value += queue.droppedForWriteErrors[version] ?? 0 }
        return value
    }

    /// The sender's own metrics, each declared once.
    enum SelfMetrics {
        static let samplesSent = MetricDescriptor(
            "ipvs_push_remote_write_samples_sent_total", .counter,
            help: "Samples acknowledged by the remote-write receiver.")
        static let batchesSent = MetricDescriptor(
            "ipvs_push_remote_write_batches_sent_total", .counter,
            help: "Requests acknowledged by the remote-write receiver.")
        static let samplesFailed = MetricDescriptor(
            "ipvs_push_remote_write_samples_failed_total", .counter,
            help: "Samples in remote-write attempts that failed, counted once per attempt.")
        static let samplesDropped = MetricDescriptor(
            "ipvs_push_remote_write_samples_dropped_total", .counter,
            help: "Samples never delivered to the remote-write receiver, by reason.")
        static let retries = MetricDescriptor(
            "ipvs_push_remote_write_retries_total", .counter,
            help: "Remote-write attempts repeated after a network error, timeout, 5xx or 429.")
        static let staleMarkers = MetricDescriptor(
            "ipvs_push_remote_write_stale_markers_total", .counter,
            help: "Staleness markers queued for series that disappeared.")
        static let protocolFallbacks = MetricDescriptor(
            "ipvs_push_remote_write_protocol_fallbacks_total", .counter,
            help: "Fallbacks from remote-write 2.0 to 1.0 because the receiver speaks only 1.0.")
        static let queueBytes = MetricDescriptor(
            "ipvs_push_remote_write_queue_bytes", .gauge, help: "Bytes of batches waiting in the remote-write queue.")
        static let queueBatches = MetricDescriptor(
            "ipvs_push_remote_write_queue_batches", .gauge, help: "Batches waiting in the remote-write queue.")
        static let queueMaxBytes = MetricDescriptor(
            "ipvs_push_remote_write_queue_max_bytes", .gauge,
            help: "The bound of the remote-write queue; beyond it the oldest batches are dropped.")
        static let shards = MetricDescriptor(
            "ipvs_push_remote_write_shards", .gauge, help: "Requests the remote-write sender keeps in flight at most.")
        static let queueCorruptRecords = MetricDescriptor(
            "ipvs_push_remote_write_queue_corrupt_records_total", .counter,
            help: "Damaged records found in the on-disk remote-write queue and skipped.")
        static let queueWrittenBytes = MetricDescriptor(
            "ipvs_push_remote_write_queue_written_bytes_total", .counter,
            help: "Bytes written to the remote-write queue directory: batch records, segment headers, cursors.")
        static let queueHeldBytes = MetricDescriptor(
            "ipvs_push_remote_write_queue_held_bytes", .gauge,
            help: "Bytes of queued remote-write batches held in memory only until acknowledged (write-behind).")
        static let lastSuccess = MetricDescriptor(
            "ipvs_push_remote_write_last_success_timestamp_seconds", .gauge,
            help: "When the remote-write receiver last acknowledged a request (0: never).")
    }
}

/// The encoder, used only on the sender's encoder queue.
final class EncoderBox: @unchecked Sendable {
    let value: CollectionEncoder
    init(_ value: CollectionEncoder) { self.value = value }
}
