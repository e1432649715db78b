import Foundation

/// The sender's counters, updated from every shard.
final class SendStatistics: @unchecked Sendable {
    struct Counts: Sendable {
        var samplesSent: [RemoteWriteProtocol: Int] = [:]
        var batchesSent: [RemoteWriteProtocol: Int] = [:]
        var samplesFailed: [RemoteWriteProtocol: Int] = [:]
        var retries: [RemoteWriteProtocol: Int] = [:]
        var dropped: [RemoteWriteProtocol: [DropReason: Int]] = [:]
        var staleMarkers = 0
        var fallbacks = 0
        /// Seconds since the epoch of the last 2xx.
        var lastSuccess: Double?
    }

    private let lock = NSLock()
    private var counts = Counts()
    private var warnedReasons: Set<DropReason> = []

    var snapshot: Counts { lock.withLock { counts } }

    func sent(_ protocolVersion: RemoteWriteProtocol, samples: Int) {
        let now = Date().timeIntervalSince1970
        lock.withLock {
            counts.samplesSent[protocolVersion, default: 0] += samples
            counts.batchesSent[protocolVersion, default: 0] += 1
            counts.lastSuccess = now
        }
    }

    func failed(_ protocolVersion: RemoteWriteProtocol, samples: Int, retrying: Bool) {
        lock.withLock {
            counts.samplesFailed[protocolVersion, default: 0] += samples
            if retrying { counts.retries[protocolVersion, default: 0] += 1 }
        }
    }

    func dropped(_ protocolVersion: RemoteWriteProtocol, _ reason: DropReason, samples: Int) {
        guard samples > 0 else { return }
        lock.withLock { counts.dropped[protocolVersion, default: [:]][reason, default: 0] += samples }
    }

    func staleMarkersQueued(_ count: Int) {
        lock.withLock { counts.staleMarkers += count }
    }

    /// True the first time a drop for `reason` before sending is reported.
    func firstDrop(_ reason: DropReason) -> Bool {
        lock.withLock { warnedReasons.insert(reason).inserted }
    }

    func fellBack() {
        lock.withLock { counts.fallbacks += 1 }
    }
}
