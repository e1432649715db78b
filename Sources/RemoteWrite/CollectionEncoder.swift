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
///
/// Finding a sample's series is the hot path (600,000 samples per collection at 10,000
/// services). A series of the input is known by the numbers of its name and label set
/// (``InputSeries``, ``LabelSetIndex``), and a family's sample is first looked for at
/// the position it had in the last collection, so the label strings are hashed only
/// once per label set and collection, not once per sample.
final class CollectionEncoder {
    let shardCount: Int
    let maxSamplesPerSend: Int
    private let externalLabels: [Label]
    private var strings = StringInterner()
    private var series: [SeriesKey: SeriesEntry] = [:]
    private var families: [String: (family: MetricFamily, metadata: FamilyMetadata)] = [:]
    // The fields the per-sample loop touches skip dynamic exclusivity checks: the encoder
    // is not thread-safe by design (the sender calls it under a lock).
    @exclusivity(unchecked) private var cycle: UInt64 = 0
    private var pending: [[PendingSample]]
    private var removedSinceCompaction = 0
    private let workerEncoders: [BatchEncoder]
    /// The write relabel rules; nil when there are none (the path without any lookups).
    private let relabeler: Relabeler?
    /// What each series of the input resolved to (with rules: what they made of it), by
    /// name and label set number; `series` is keyed by the label set sent.
    @exclusivity(unchecked) private var inputs: [UInt64: InputSeries] = [:]
    /// How many of `inputs` this cycle has met (when all of them, none vanished).
    @exclusivity(unchecked) private var inputsSeen = 0
    /// How many of `series` this cycle has met.
    @exclusivity(unchecked) private var entriesSeen = 0
    private let labelSets = LabelSetIndex()
    /// Numbers of sample names, for the keys of `inputs`.
    @exclusivity(unchecked) private var nameIDs: [String: UInt32] = [:]
    /// Per label set number, its interned ids (see `labelSetTemplate`); cleared when the
    /// interner is rebuilt.
    private var labelSetTemplates: [UInt32: LabelSetTemplate] = [:]

    /// A label set's interned (name, value) ids as every series of it is sent, without
    /// `__name__` (the external labels merged in, empty ones left out, sorted); the id
    /// index where `__name__`'s pair goes; the set's 1.0 label bytes.
    private struct LabelSetTemplate {
        var ids: [UInt32]
        var nameIndex: Int
        var v1Labels: EncodedLabelSet
    }
    /// Interned ids by sample name number (`.max`: `__name__`); cleared with the interner.
    private var internedNames: [UInt32: UInt32] = [:]
    /// Per family name, the input series at each sample position in the last collection.
    private var positions: [String: (cycle: UInt64, inputs: [InputSeries?])] = [:]

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

        inputsSeen = 0
        entriesSeen = 0
        if labelSets.isExhausted { forgetInputs() }
        labelSets.beginCollection(cycle)
        if series.isEmpty {
            let count = collection.reduce(0) { $0 + $1.samples.count }
            series.reserveCapacity(count)
            inputs.reserveCapacity(count)
        }
        // Out of the object while the samples are added: no exclusivity checks per append.
        var pending = self.pending
        self.pending = []
        for family in collection {
            let metadata = metadata(for: family)
            let familyNameID = nameID(family.name)
            let sampleCount = family.samples.count
            var known = positions.removeValue(forKey: family.name)?.inputs ?? []
            if known.count != sampleCount {
                known = Array(known.prefix(sampleCount)) + repeatElement(nil, count: max(0, sampleCount - known.count))
            }
            labelSets.beginFamily(sampleCount: sampleCount)
            family.samples.withUnsafeBufferPointer { samples in
                guard let first = samples.baseAddress else { return }
                for position in 0..<sampleCount {
                    let sample = first + position
                    guard !sample.pointee.name.isEmpty else {
                        result.dropped[.invalidSeries, default: 0] += 1
                        continue
                    }
                    let name = sample.pointee.name == family.name ? familyNameID : nameID(sample.pointee.name)
                    let key = UInt64(name) << 32 | UInt64(labelSets.id(of: sample, at: position))
                    let input: InputSeries
                    if let cached = known[position], cached.key == key, !cached.isRemoved {
                        input = cached
                    } else if let found = inputs[key] {
                        input = found
                        known[position] = found
                    } else {
                        input = resolve(sample.pointee, key: key, metadata: metadata)
                        inputs[key] = input
                        known[position] = input
                    }
                    if input.lastSeenCycle != cycle {
                        input.lastSeenCycle = cycle
                        inputsSeen += 1
                    }
                    guard let entry = input.entry else {
                        if input.isNameless { result.dropped[.invalidSeries, default: 0] += 1 }
                        continue
                    }
                    if entry.lastSeenCycle == cycle {
                        result.dropped[.duplicateSeries, default: 0] += 1
                        continue
                    }
                    entry.lastSeenCycle = cycle
                    entriesSeen += 1
                    entry.metadata = metadata
                    let sampleTimestamp = sample.pointee.timestampMilliseconds ?? timestamp
                    guard sampleTimestamp > entry.lastTimestamp else {
                        result.dropped[.outOfOrder, default: 0] += 1
                        continue
                    }
                    entry.lastTimestamp = sampleTimestamp
                    pending[entry.shard].append(
                        PendingSample(series: entry, value: sample.pointee.value, timestamp: sampleTimestamp))
                    result.samples += 1
                }
            }
            labelSets.endFamily()
            positions[family.name] = (cycle, known)
        }
        labelSets.endCollection()

        if entriesSeen < series.count {
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
        }
        if inputsSeen < inputs.count {
            let cycle = self.cycle
            inputs = inputs.filter { _, input in
                if input.lastSeenCycle == cycle { return true }
                input.isRemoved = true
                return false
            }
        }
        if positions.count > collection.count {
            let cycle = self.cycle
            positions = positions.filter { $0.value.cycle == cycle }
        }
        self.pending = pending

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

    /// The number of a sample name, for the keys of `inputs`.
    private func nameID(_ name: String) -> UInt32 {
        if let id = nameIDs[name] { return id }
        let id = UInt32(nameIDs.count)
        nameIDs[name] = id
        return id
    }

    /// What a series of the input, met for the first time (or again after it vanished),
    /// is sent as: without rules the series of its own name and labels, made now or
    /// found (an input cache cleared by ``forgetInputs()`` finds its series again).
    private func resolve(_ sample: Sample, key: UInt64, metadata: FamilyMetadata) -> InputSeries {
        let seriesKey = SeriesKey(name: sample.name, labels: sample.labels)
        guard relabeler != nil else {
            if let existing = series[seriesKey] {
                return InputSeries(key: key, entry: existing, isNameless: false, cycle: 0)
            }
            // The label set's interned ids are shared by every family of the object: made
            // once per set, with `__name__` put in its sorted place per series.
            let template = labelSetTemplate(UInt32(truncatingIfNeeded: key), labels: sample.labels)
            var ids = template.ids
            ids.insert(contentsOf: [internedName(nil), internedName(sample.name, number: UInt32(key >> 32))], at: template.nameIndex)
            let entry = SeriesEntry(
                labelIDs: ids, shard: Int(seriesKey.hash % UInt64(shardCount)), metadata: metadata)
            entry.v1Labels = template.v1Labels
            series[seriesKey] = entry
            return InputSeries(key: key, entry: entry, isNameless: false, cycle: 0)
        }
        let outcome = relabeledOutcome(seriesKey, metadata: metadata)
        return InputSeries(key: key, entry: outcome.entry, isNameless: outcome.nameless, cycle: 0)
    }

    /// The interned id of `__name__` (nil) or of the sample name numbered `number`.
    private func internedName(_ name: String?, number: UInt32 = .max) -> UInt32 {
        if let id = internedNames[number] { return id }
        let id = strings.intern(name ?? "__name__")
        internedNames[number] = id
        return id
    }

    /// The template of a label set (see ``LabelSetTemplate``), made once per set.
    private func labelSetTemplate(_ setID: UInt32, labels: Labels) -> LabelSetTemplate {
        if let known = labelSetTemplates[setID] { return known }
        var full = Self.fullLabelSet(name: "", labels: labels, external: externalLabels)
        var ids: [UInt32] = []
        ids.reserveCapacity(full.count * 2)
        var nameIndex = 0
        for (index, label) in full.enumerated() {
            if label.name == "__name__" {
                nameIndex = index
                continue
            }
            ids.append(strings.intern(label.name))
            ids.append(strings.intern(label.value))
        }
        full.remove(at: nameIndex)
        let template = LabelSetTemplate(
            ids: ids, nameIndex: 2 * nameIndex, v1Labels: EncodedLabelSet(pairs: full, nameIndex: nameIndex))
        if labelSetTemplates.count > 2 * labelSets.count + 1024 { labelSetTemplates.removeAll() }
        labelSetTemplates[setID] = template
        return template
    }

    /// What the write relabel rules make of a series. They run only for a series not
    /// seen in the last collection; their outcome is kept (in `inputs`) while the series
    /// stays.
    private func relabeledOutcome(_ key: SeriesKey, metadata: FamilyMetadata) -> (entry: SeriesEntry?, nameless: Bool)
    {
        let full = Self.fullLabelSet(name: key.name, labels: key.labels, external: externalLabels)
        var outcome: (entry: SeriesEntry?, nameless: Bool) = (nil, false)
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
        return outcome
    }

    /// Forgets every input series and number (the series themselves stay): the next
    /// collection finds each sample's series by its labels again.
    private func forgetInputs() {
        for input in inputs.values { input.isRemoved = true }
        inputs.removeAll()
        positions.removeAll()
        nameIDs.removeAll()
        labelSetTemplates.removeAll()
        internedNames.removeAll()
        labelSets.reset()
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
        labelSetTemplates.removeAll()
        internedNames.removeAll()
        families.removeAll()
        removedSinceCompaction = 0
    }
}
