import Exposition
import NIOConcurrencyHelpers

/// The sender's counters, updated from every shard.
final class SendStatistics: Sendable {
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

    private struct State {
        var counts = Counts()
        var warnedReasons: Set<DropReason> = []
    }

    private let state = NIOLockedValueBox(State())

    var snapshot: Counts { state.withLockedValue { $0.counts } }

    func sent(_ protocolVersion: RemoteWriteProtocol, samples: Int) {
        let now = Double(SampleClock.nowMilliseconds()) / 1000
        state.withLockedValue {
            $0.counts.samplesSent[protocolVersion, default: 0] += samples
            $0.counts.batchesSent[protocolVersion, default: 0] += 1
            $0.counts.lastSuccess = now
        }
    }

    func failed(_ protocolVersion: RemoteWriteProtocol, samples: Int, retrying: Bool) {
        state.withLockedValue {
            $0.counts.samplesFailed[protocolVersion, default: 0] += samples
            if retrying { $0.counts.retries[protocolVersion, default: 0] += 1 }
        }
    }

    func dropped(_ protocolVersion: RemoteWriteProtocol, _ reason: DropReason, samples: Int) {
        guard samples > 0 else { return }
        state.withLockedValue { $0.counts.dropped[protocolVersion, default: [:]][reason, default: 0] += samples }
    }

    func staleMarkersQueued(_ count: Int) {
        state.withLockedValue { $0.counts.staleMarkers += count }
    }

    /// True the first time a drop for `reason` before sending is reported.
    func firstDrop(_ reason: DropReason) -> Bool {
        state.withLockedValue { $0.warnedReasons.insert(reason).inserted }
    }

    func fellBack() {
        state.withLockedValue { $0.counts.fallbacks += 1 }
    }
}
