import Dispatch
import Exposition
import Foundation
import Relabel

/// Turns collections of metric families into compressed remote-write batches.
///
/// It keeps the series of the previous collections: a series seen before reuses its
/// interned label set and shard, a series missing from this collection gets one
/// staleness marker and is forgotten, a series met twice in one collection or with a
/// timestamp not after its last one is dropped (a receiver would reject the whole
/// request for it). Not thread-safe: the sender calls it under a lock.
///
/// With write relabel rules, each series' full label set (`__name__`, its labels, the
/// external labels) goes through them once, when the series first appears; what they
/// decide is remembered with the series until it vanishes. Series the rules drop are
/// never sent and get no staleness marker; the others are tracked (and marked stale) by
/// their relabeled label set, so two series the rules make identical count as one
/// series met twice.
final class CollectionEncoder {
    let shardCount: Int
    let maxSamplesPerSend: Int
    private let externalLabels: [Label]
    private var strings = StringInterner()
    private var series: [SeriesKey: SeriesEntry] = [:]
    private var families: [String: (family: MetricFamily, metadata: FamilyMetadata)] = [:]
    private var cycle: UInt64 = 0
    private var pending: [[PendingSample]]
    private var removedSinceCompaction = 0
    private let workerEncoders: [BatchEncoder]
    /// The write relabel rules; nil when there are none (the path without any lookups).
    private let relabeler: Relabeler?
    /// With rules: what they made of each series of the last collections, by the
    /// series' key before relabeling. `series` is then keyed by the relabeled set.
    private var relabeled: [SeriesKey: RelabelOutcome] = [:]
    /// How many entries of `relabeled` this cycle has met (when all of them, none vanished).
    private var relabeledSeen = 0

    /// What the rules made of one series, and the cycle it was last seen in.
    private struct RelabelOutcome {
        /// The series to send, nil when the rules drop it.
        var entry: SeriesEntry?
        /// The rules removed `__name__`: the series cannot be sent.
        var nameless: Bool
        var lastSeenCycle: UInt64
    }

    init(externalLabels: Labels, shardCount: Int, maxSamplesPerSend: Int, relabeler: Relabeler? = nil) {
        self.relabeler = relabeler.flatMap { $0.isEmpty ? nil : $0 }
        self.externalLabels = externalLabels.pairs.filter { !$0.name.isEmpty && !$0.value.isEmpty }
        self.shardCount = shardCount
        self.maxSamplesPerSend = maxSamplesPerSend
        pending = Array(repeating: [], count: shardCount)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        workerEncoders = (0..<max(1, min(cores, 8))).map { _ in BatchEncoder() }
    }

    /// How many series the encoder currently tracks.
    var seriesCount: Int { series.count }

    /// Encodes one collection taken at `timestamp` (milliseconds since the epoch; a
    /// sample's own timestamp takes precedence).
    func encode(_ collection: [MetricFamily], timestamp: Int64, protocolVersion: RemoteWriteProtocol)
        throws(RemoteWriteError) -> EncodedCollection
    {
        cycle += 1
        for shard in pending.indices { pending[shard].removeAll(keepingCapacity: true) }
        var result = EncodedCollection()

        relabeledSeen = 0
        let relabeling = relabeler != nil
        if series.isEmpty {
            let count = collection.reduce(0) { $0 + $1.samples.count }
            series.reserveCapacity(count)
            if relabeler != nil { relabeled.reserveCapacity(count) }
        }
        for family in collection {
            let metadata = metadata(for: family)
            for sample in family.samples {
                guard !sample.name.isEmpty else {
                    result.dropped[.invalidSeries, default: 0] += 1
                    continue
                }
                let key = SeriesKey(name: sample.name, labels: sample.labels)
                let entry: SeriesEntry
                if relabeling {
                    let outcome = relabeledOutcome(key, metadata: metadata)
                    guard let known = outcome.entry else {
                        if outcome.nameless { result.dropped[.invalidSeries, default: 0] += 1 }
                        continue
                    }
                    entry = known
                    if entry.lastSeenCycle == cycle {
                        result.dropped[.duplicateSeries, default: 0] += 1
                        continue
                    }
                } else if let known = series[key] {
                    entry = known
                    if entry.lastSeenCycle == cycle {
                        result.dropped[.duplicateSeries, default: 0] += 1
                        continue
                    }
                } else {
                    entry = makeEntry(key, metadata: metadata)
                    series[key] = entry
                }
                entry.lastSeenCycle = cycle
                entry.metadata = metadata
                let sampleTimestamp = sample.timestampMilliseconds ?? timestamp
                guard sampleTimestamp > entry.lastTimestamp else {
                    result.dropped[.outOfOrder, default: 0] += 1
                    continue
                }
                entry.lastTimestamp = sampleTimestamp
                pending[entry.shard].append(
                    PendingSample(series: entry, value: sample.value, timestamp: sampleTimestamp))
                result.samples += 1
            }
        }

        var vanished: [SeriesKey] = []
        for (key, entry) in series where entry.lastSeenCycle != cycle {
            vanished.append(key)
            let markerTimestamp = max(timestamp, entry.lastTimestamp &+ 1)
            pending[entry.shard].append(
                PendingSample(series: entry, value: StaleMarker.value, timestamp: markerTimestamp))
            result.staleMarkers += 1
        }
        for key in vanished { series.removeValue(forKey: key) }
        removedSinceCompaction += vanished.count
        if relabeledSeen < relabeled.count {
            relabeled = relabeled.filter { $0.value.lastSeenCycle == cycle }
        }

        // Batches are independent: encode them on all cores, each worker with its own
        // arenas. The interner and the series entries are only read meanwhile.
        var jobs: [(shard: Int, range: Range<Int>)] = []
        for shard in pending.indices {
            var start = 0
            while start < pending[shard].count {
                let end = min(start + maxSamplesPerSend, pending[shard].count)
                jobs.append((shard, start..<end))
                start = end
            }
        }
        let payloads = ParallelBatchEncoding(
            jobs: jobs, pending: pending, strings: strings, encoders: workerEncoders, protocolVersion: protocolVersion
        ).run()
        for (index, job) in jobs.enumerated() {
            result.batches.append(
                EncodedBatch(
                    shard: job.shard, protocolVersion: protocolVersion, sampleCount: job.range.count,
                    payload: try payloads[index].get()))
        }
        for shard in pending.indices { pending[shard].removeAll(keepingCapacity: true) }
        compactIfWorthIt()
        return result
    }

    private func metadata(for family: MetricFamily) -> FamilyMetadata {
        if let cached = families[family.name], cached.family.type == family.type, cached.family.help == family.help,
            cached.family.unit == family.unit
        {
            return cached.metadata
        }
        let metadata = FamilyMetadata(
            type: family.type, nameID: strings.intern(family.name), helpID: strings.intern(family.help),
            unitID: strings.intern(family.unit ?? ""))
        var stored = family
        stored.samples = []
        families[family.name] = (stored, metadata)
        return metadata
    }

    private func makeEntry(_ key: SeriesKey, metadata: FamilyMetadata) -> SeriesEntry {
        makeEntry(
            key, metadata: metadata,
            labels: Self.fullLabelSet(name: key.name, labels: key.labels, external: externalLabels))
    }

    /// An entry sent with `labels` (complete, sorted bytewise), on the shard of `key`.
    private func makeEntry(
        _ key: SeriesKey, metadata: FamilyMetadata, labels: some Collection<(name: String, value: String)>
    ) -> SeriesEntry {
        var ids: [UInt32] = []
        ids.reserveCapacity(labels.count * 2)
        for label in labels {
            ids.append(strings.intern(label.name))
            ids.append(strings.intern(label.value))
        }
        let shard = Int(key.hash % UInt64(shardCount))
        return SeriesEntry(labelIDs: ids, shard: shard, metadata: metadata)
    }

    /// What the write relabel rules make of a series. They run only for a series not
    /// seen in the last collection; their outcome is kept while the series stays.
    private func relabeledOutcome(_ key: SeriesKey, metadata: FamilyMetadata) -> RelabelOutcome {
        if let index = relabeled.index(forKey: key) {
            if relabeled.values[index].lastSeenCycle != cycle {
                relabeled.values[index].lastSeenCycle = cycle
                relabeledSeen += 1
            }
            return relabeled.values[index]
        }
        relabeledSeen += 1
        let full = Self.fullLabelSet(name: key.name, labels: key.labels, external: externalLabels)
        var outcome = RelabelOutcome(entry: nil, nameless: false, lastSeenCycle: cycle)
        if let output = relabeler?.process(Labels(presorted: full.map { Label($0.name, $0.value) })) {
            if let name = output.first(where: { $0.name == "__name__" })?.value {
                let sentKey = SeriesKey(
                    name: name, labels: Labels(presorted: output.pairs.filter { $0.name != "__name__" }))
                if let existing = series[sentKey] {
                    outcome.entry = existing
                } else {
                    let entry = makeEntry(
                        sentKey, metadata: metadata, labels: output.lazy.map { (name: $0.name, value: $0.value) })
                    series[sentKey] = entry
                    outcome.entry = entry
                }
            } else {
                outcome.nameless = true
            }
        }
        relabeled[key] = outcome
        return outcome
    }

    /// The labels a series is sent with: `__name__`, the sample's labels without empty
    /// names or values, the external labels the sample does not have; sorted bytewise.
    static func fullLabelSet(name: String, labels: Labels, external: [Label]) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = [("__name__", name)]
        result.reserveCapacity(labels.count + external.count + 1)
        for label in labels where !label.name.isEmpty && !label.value.isEmpty && label.name != "__name__" {
            result.append((label.name, label.value))
        }
        for label in external where labels[label.name] == nil {
            result.append((label.name, label.value))
        }
        result.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return result
    }

    /// Rebuilds the interner from the live series once many series have gone, so that
    /// strings of removed services do not pile up forever.
    private func compactIfWorthIt() {
        guard removedSinceCompaction > 1024, removedSinceCompaction > series.count / 2 else { return }
        let old = strings
        let fresh = StringInterner()
        for entry in series.values {
            entry.labelIDs = entry.labelIDs.map { fresh.intern(old.string($0)) }
            entry.metadata.nameID = fresh.intern(old.string(entry.metadata.nameID))
            entry.metadata.helpID = fresh.intern(old.string(entry.metadata.helpID))
            entry.metadata.unitID = fresh.intern(old.string(entry.metadata.unitID))
        }
        strings = fresh
        families.removeAll()
        removedSinceCompaction = 0
    }
}
