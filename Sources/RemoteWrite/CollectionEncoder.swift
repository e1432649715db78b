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
/// (``InputTable``, ``LabelSetIndex``), and a family's sample is first looked for at
/// the position it had in the last collection, so the label strings are hashed only
/// once per label set and collection, not once per sample. Series, inputs and label
/// sets are rows in tables of plain values (``SeriesTable``, ``InputTable``,
/// ``LabelSetStore``), not objects: a collection touches each of its samples' rows
/// without any reference counting.
final class CollectionEncoder {
    let shardCount: Int
    let maxSamplesPerSend: Int
    private let externalLabels: [Label]
    private var strings = StringInterner()
    /// The interned id of `__name__`.
    private var nameLabelID: UInt32
    private var labelSetStore = LabelSetStore()
    private let rows = SeriesTable()
    /// The row of each series by what it is sent as: its name's interned id and its label
    /// set (``seriesKey(name:set:)``; the store keeps each set content once, so equal
    /// series have equal keys). Looked up only for series met for the first time. Twelve
    /// bytes a bucket: a key of strings (name and labels) took 36, and kept alive the
    /// parsed label sets of the collection in which each series first came.
    private var seriesByKey: [UInt64: UInt32] = [:]
    private let inputs = InputTable()
    /// Each family's metadata as last interned, and its number in the series table.
    private var families: [String: (family: MetricFamily, number: UInt32)] = [:]
    /// Family numbers by name (kept when `families` is cleared, so rows keep theirs).
    private var familyNumbers: [String: UInt32] = [:]
    // The fields the per-sample loop touches skip dynamic exclusivity checks: the encoder
    // is not thread-safe by design (the sender calls it under a lock).
    @exclusivity(unchecked) private var cycle: UInt64 = 0
    private var pending: [[PendingSample]]
    private var removedSinceCompaction = 0
    /// Series dealt to shards so far (see ``nextShard()``).
    private var dealtSeries = 0
    private let workerEncoders: [BatchEncoder]
    /// The write relabel rules; nil when there are none (the path without any lookups).
    private let relabeler: Relabeler?
    /// How many inputs this cycle has met (when all of them, none vanished).
    @exclusivity(unchecked) private var inputsSeen = 0
    /// How many series this cycle has met.
    @exclusivity(unchecked) private var seriesSeen = 0
    private let labelSets = LabelSetIndex()
    /// Numbers of sample names, for the input keys.
    @exclusivity(unchecked) private var nameNumbers: [String: UInt32] = [:]
    /// The store's set of each label set number (see ``templateSet(_:labels:)``).
    private var templateSets: [UInt32: UInt32] = [:]
    /// Interned ids by sample name number; cleared with the interner.
    private var internedNames: [UInt32: UInt32] = [:]
    /// Per family name, the input row at each sample position in the last collection
    /// (``InputTable/noSeries`` for none).
    private var positions: [String: (cycle: UInt64, inputs: [UInt32])] = [:]

    init(externalLabels: Labels, shardCount: Int, maxSamplesPerSend: Int, relabeler: Relabeler? = nil) {
        self.relabeler = relabeler.flatMap { $0.isEmpty ? nil : $0 }
        self.externalLabels = externalLabels.pairs.filter { !$0.name.isEmpty && !$0.value.isEmpty }
        self.shardCount = shardCount
        self.maxSamplesPerSend = maxSamplesPerSend
        pending = Array(repeating: [], count: shardCount)
        nameLabelID = strings.intern("__name__")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        workerEncoders = (0..<max(1, min(cores, 8))).map { _ in BatchEncoder() }
    }

    /// How many series the encoder currently tracks.
    var seriesCount: Int { rows.count }

    /// Encodes one collection taken at `timestamp` (milliseconds since the epoch; a
    /// sample's own timestamp takes precedence).
    func encode(_ collection: [MetricFamily], timestamp: Int64, protocolVersion: RemoteWriteProtocol)
        throws(RemoteWriteError) -> EncodedCollection
    {
        cycle += 1
        var result = EncodedCollection()

        inputsSeen = 0
        seriesSeen = 0
        if labelSets.isExhausted { forgetInputs() }
        labelSets.beginCollection(cycle)
        if seriesByKey.isEmpty {
            let count = collection.reduce(0) { $0 + $1.samples.count }
            seriesByKey.reserveCapacity(count)
            inputs.reserveCapacity(count)
        }
        // Out of the object while the batches are filled: no exclusivity checks per append.
        // Emptied while this is the only reference, so that their storage is kept for the
        // next collection (emptying a shared array would allocate anew).
        var pending = self.pending
        self.pending = []
        defer {
            for shard in pending.indices { pending[shard].removeAll(keepingCapacity: true) }
            self.pending = pending
        }
        let cycle = self.cycle
        let rows = self.rows
        // 2.0 batches are ordered by label set, 1.0 batches keep the collection's order.
        let bySet = protocolVersion == .v2
        let inputs = self.inputs
        for family in collection {
            let familyNumber = familyNumber(for: family)
            let familyNameNumber = nameNumber(family.name)
            let sampleCount = family.samples.count
            var known = positions.removeValue(forKey: family.name)?.inputs ?? []
            if known.count != sampleCount {
                known =
                    Array(known.prefix(sampleCount))
                    + repeatElement(InputTable.noSeries, count: max(0, sampleCount - known.count))
            }
            labelSets.beginFamily(sampleCount: sampleCount, labelCount: family.samples.first?.labels.count ?? 0)
            known.withUnsafeMutableBufferPointer { known in
                family.samples.withUnsafeBufferPointer { samples in
                    guard let first = samples.baseAddress else { return }
                    for position in 0..<sampleCount {
                        let sample = first + position
                        guard !sample.pointee.name.isEmpty else {
                            result.dropped[.invalidSeries, default: 0] += 1
                            continue
                        }
                        let name =
                            sample.pointee.name == family.name ? familyNameNumber : nameNumber(sample.pointee.name)
                        let key = UInt64(name) << 32 | UInt64(labelSets.id(of: sample, at: position))
                        var input = known[position]
                        if !inputs.holds(input, key: key) {
                            input = inputs.find(key) ?? resolve(sample.pointee, key: key, family: familyNumber)
                            known[position] = input
                        }
                        if inputs.lastSeenCycle[input] != cycle {
                            inputs.lastSeenCycle[input] = cycle
                            inputsSeen += 1
                        }
                        let row = inputs.series[input]
                        guard row != InputTable.noSeries else {
                            if inputs.isNameless(input) { result.dropped[.invalidSeries, default: 0] += 1 }
                            continue
                        }
                        let state = rows.state.base + Int(row)
                        if state.pointee.lastSeenCycle == cycle {
                            result.dropped[.duplicateSeries, default: 0] += 1
                            continue
                        }
                        state.pointee.lastSeenCycle = cycle
                        seriesSeen += 1
                        state.pointee.family = familyNumber
                        let sampleTimestamp = sample.pointee.timestampMilliseconds ?? timestamp
                        guard sampleTimestamp > state.pointee.lastTimestamp else {
                            result.dropped[.outOfOrder, default: 0] += 1
                            continue
                        }
                        state.pointee.setPending(cycle: cycle, value: sample.pointee.value, timestamp: sampleTimestamp)
                        if bySet == false {
                            pending[Int(rows.shard[row])].append(
                                PendingSample(series: row, value: sample.pointee.value, timestamp: sampleTimestamp))
                        }
                        result.samples += 1
                    }
                }
            }
            labelSets.endFamily()
            positions[family.name] = (cycle, known)
        }
        labelSets.endCollection()

        // Series not met get a staleness marker; their rows are freed once it is encoded.
        var vanished: [UInt32] = []
        if seriesSeen < rows.count {
            for index in 0..<rows.rowLimit {
                let row = UInt32(index)
                let state = rows.state.base + index
                guard rows.labelSet[row] != SeriesTable.freeRow, state.pointee.lastSeenCycle != cycle else { continue }
                vanished.append(row)
                let markerTimestamp = max(timestamp, state.pointee.lastTimestamp &+ 1)
                state.pointee.setPending(cycle: cycle, value: StaleMarker.value, timestamp: markerTimestamp)
                if bySet == false {
                    pending[Int(rows.shard[row])].append(
                        PendingSample(series: row, value: StaleMarker.value, timestamp: markerTimestamp))
                }
                result.staleMarkers += 1
            }
        }
        // 2.0: into the shards' batches by label set, the series of one object side by side
        // (their refs are encoded once per run); 1.0 batches were filled in collection order
        // above, a family's series side by side, which compresses to fewer bytes.
        if bySet {
            rows.forEachRowBySet(setCount: labelSetStore.count) { row in
                let state = rows.state[row]
                guard state.isPending(in: cycle) else { return }
                pending[Int(rows.shard[row])].append(
                    PendingSample(series: row, value: state.pendingValue, timestamp: state.lastTimestamp))
            }
        }
        if inputsSeen < inputs.count { inputs.removeUnseen(cycle: cycle) }
        if positions.count > collection.count {
            positions = positions.filter { $0.value.cycle == cycle }
        }

        // Batches are independent: encode them on all cores, each worker with its own
        // arenas. The tables are only read meanwhile.
        var jobs: [(shard: Int, range: Range<Int>)] = []
        for shard in pending.indices {
            var start = 0
            while start < pending[shard].count {
                let end = min(start + maxSamplesPerSend, pending[shard].count)
                jobs.append((shard, start..<end))
                start = end
            }
        }
        let tables = EncodingTables(
            strings: strings, series: rows, labelSets: labelSetStore, nameLabelID: nameLabelID)
        let payloads = ParallelJobs.run(count: jobs.count, workers: workerEncoders) { encoder, index in
            let (shard, range) = jobs[index]
            return Result { () throws(RemoteWriteError) -> [UInt8] in
                try encoder.encode(pending[shard][range], protocolVersion: protocolVersion, tables: tables)
            }
        }
        for (index, job) in jobs.enumerated() {
            result.batches.append(
                EncodedBatch(
                    shard: job.shard, protocolVersion: protocolVersion, sampleCount: job.range.count,
                    payload: try payloads[index].get()))
        }
        for row in vanished {
            seriesByKey.removeValue(forKey: Self.seriesKey(name: rows.nameID[row], set: rows.labelSet[row]))
            rows.remove(row)
        }
        removedSinceCompaction += vanished.count
        compactIfWorthIt()
        if bySet, rows.wantsRenumbering {
            let newRows = rows.renumberBySet(setCount: labelSetStore.count)
            inputs.renumberSeries(newRows)
            for index in seriesByKey.indices { seriesByKey.values[index] = newRows[Int(seriesByKey.values[index])] }
        }
        return result
    }

    /// Encodes a collection that is the only one this encoder will see and whose samples
    /// are distinct series (the caller's reader refused repeats): without remembering its
    /// series (``OneShotV1Encoder``) when nothing calls for them (1.0, no write relabel
    /// rules, nothing encoded before), else as ``encode(_:timestamp:protocolVersion:)``.
    func encodeOnce(_ collection: [MetricFamily], timestamp: Int64, protocolVersion: RemoteWriteProtocol)
        throws(RemoteWriteError) -> EncodedCollection
    {
        guard protocolVersion == .v1, relabeler == nil, cycle == 0 else {
            return try encode(collection, timestamp: timestamp, protocolVersion: protocolVersion)
        }
        return try OneShotV1Encoder.encode(
            collection, timestamp: timestamp, externalLabels: externalLabels, maxSamplesPerSend: maxSamplesPerSend,
            shardCount: shardCount)
    }

    /// The number of `family` in the series table, its metadata (re)set there when it is
    /// new or changed.
    private func familyNumber(for family: MetricFamily) -> UInt32 {
        if let cached = families[family.name], cached.family.type == family.type, cached.family.help == family.help,
            cached.family.unit == family.unit, cached.family.declaredName == family.declaredName
        {
            return cached.number
        }
        let number = familyNumbers[family.name] ?? UInt32(familyNumbers.count)
        familyNumbers[family.name] = number
        rows.setFamily(
            number,
            FamilyMetadata(
                type: family.type, nameID: strings.intern(family.name),
                metadataNameID: strings.intern(family.metadataName), helpID: strings.intern(family.help),
                unitID: strings.intern(family.unit ?? "")))
        var stored = family
        stored.samples = []
        families[family.name] = (stored, number)
        return number
    }

    /// The shard of a new series. Series are dealt to the shards in runs of
    /// `maxSamplesPerSend`, in the order they first appear, and keep their shard while they
    /// live (so a series' samples go out in order): a batch then holds neighbours of the
    /// collection, a family's series side by side and differing in a label value or two,
    /// which snappy packs into 9% fewer bytes than series dealt by hash (the pipeline
    /// benchmark at 10,000 x 3: 21.6 against 23.7 bytes a sample on the wire, vmagent's
    /// 21.5). Dealing depends on
    /// the order of collections, not on the series alone, so after a restart a series may
    /// land in another shard: the sender sends what it replayed from disk first.
    private func nextShard() -> Int {
        defer { dealtSeries &+= 1 }
        return (dealtSeries / maxSamplesPerSend) % shardCount
    }

    /// The number of a sample name, for the input keys.
    private func nameNumber(_ name: String) -> UInt32 {
        if let number = nameNumbers[name] { return number }
        let number = UInt32(nameNumbers.count)
        nameNumbers[name] = number
        return number
    }

    /// What a series of the input, met for the first time (or again after it vanished),
    /// is sent as: without rules the series of its own name and labels, made now or
    /// found (an input table cleared by ``forgetInputs()`` finds its series again).
    /// Returns the input's row.
    private func resolve(_ sample: Sample, key: UInt64, family: UInt32) -> UInt32 {
        guard relabeler != nil else {
            // The label set is shared by every family of the object: stored once per set,
            // with `__name__` put in its sorted place per series.
            let set = templateSet(UInt32(truncatingIfNeeded: key), labels: sample.labels)
            let row = series(name: internedName(sample.name, number: UInt32(key >> 32)), set: set, family: family)
            return inputs.add(key: key, series: row, nameless: false)
        }
        let outcome = relabeledOutcome(name: sample.name, labels: sample.labels, family: family)
        return inputs.add(key: key, series: outcome.row ?? InputTable.noSeries, nameless: outcome.nameless)
    }

    /// The row of the series sent as name `name` (an interned id) and set `set`, made
    /// now when there is none.
    private func series(name: UInt32, set: UInt32, family: UInt32) -> UInt32 {
        let key = Self.seriesKey(name: name, set: set)
        if let existing = seriesByKey[key] { return existing }
        let row = rows.add(labelSet: set, nameID: name, shard: nextShard(), family: family)
        seriesByKey[key] = row
        return row
    }

    /// A series' key in ``seriesByKey``.
    @inline(__always)
    private static func seriesKey(name: UInt32, set: UInt32) -> UInt64 { UInt64(name) << 32 | UInt64(set) }

    /// Rebuilds ``seriesByKey`` from the rows (after their ids and sets were renumbered).
    private func rebuildSeriesByKey() {
        seriesByKey.removeAll(keepingCapacity: true)
        for index in 0..<rows.rowLimit where rows.labelSet[UInt32(index)] != SeriesTable.freeRow {
            let row = UInt32(index)
            seriesByKey[Self.seriesKey(name: rows.nameID[row], set: rows.labelSet[row])] = row
        }
    }

    /// The interned id of the sample name numbered `number`.
    private func internedName(_ name: String, number: UInt32) -> UInt32 {
        if let id = internedNames[number] { return id }
        let id = strings.intern(name)
        internedNames[number] = id
        return id
    }

    /// The store's set for label set number `setNumber` (the external labels merged in,
    /// empty ones left out, sorted, without `__name__`), added once per set.
    private func templateSet(_ setNumber: UInt32, labels: Labels) -> UInt32 {
        if let known = templateSets[setNumber] { return known }
        let template = Self.templatePairs(labels, external: externalLabels)
        let set = labelSetStore.add(template.pairs, nameIndex: template.nameIndex, strings: strings)
        if templateSets.count > 2 * labelSets.count + 1024 { templateSets.removeAll() }
        templateSets[setNumber] = set
        return set
    }

    /// What the write relabel rules make of a series. They run only for a series not
    /// seen in the last collection; their outcome is kept (in `inputs`) while the series
    /// stays.
    private func relabeledOutcome(name: String, labels: Labels, family: UInt32) -> (row: UInt32?, nameless: Bool) {
        let full = Self.fullLabelSet(name: name, labels: labels, external: externalLabels)
        guard let output = relabeler?.process(Labels(presorted: full.map { Label($0.name, $0.value) })) else {
            return (nil, false)
        }
        guard let name = output.first(where: { $0.name == "__name__" })?.value else { return (nil, true) }
        // Series the rules give the same labels (those of one object) share a set, as
        // without rules (the store keeps each content once).
        var pairs = output.pairs.map { (name: $0.name, value: $0.value) }
        let nameIndex = pairs.firstIndex { $0.name == "__name__" } ?? 0
        pairs.remove(at: nameIndex)
        let set = labelSetStore.add(pairs, nameIndex: nameIndex, strings: strings)
        return (series(name: strings.intern(name), set: set, family: family), false)
    }

    /// Forgets every input series and number (the series themselves stay): the next
    /// collection finds each sample's series by its labels again.
    private func forgetInputs() {
        inputs.removeAll()
        positions.removeAll()
        nameNumbers.removeAll()
        templateSets.removeAll()
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
        // A label of the series wins over an external label of the same name, unless it is
        // empty: an empty value is the label's absence, as in Prometheus.
        for label in external where labels[label.name]?.isEmpty ?? true {
            result.append((label.name, label.value))
        }
        result.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return result
    }

    /// `labels` as a set of the store: ``fullLabelSet(name:labels:external:)`` without
    /// `__name__`, and the index where a series' `__name__` pair goes.
    static func templatePairs(_ labels: Labels, external: [Label])
        -> (pairs: [(name: String, value: String)], nameIndex: Int)
    {
        var full = fullLabelSet(name: "", labels: labels, external: external)
        let nameIndex = full.firstIndex { $0.name == "__name__" } ?? 0
        full.remove(at: nameIndex)
        return (full, nameIndex)
    }

    /// Rebuilds the interner and the label set store from the live series once many
    /// series have gone, so that strings and sets of removed services do not pile up
    /// forever.
    private func compactIfWorthIt() {
        guard removedSinceCompaction > 1024, removedSinceCompaction > rows.count / 2 else { return }
        let oldStrings = strings
        let oldStore = labelSetStore
        let fresh = StringInterner()
        let store = LabelSetStore()
        var idMap = [UInt32](repeating: .max, count: oldStrings.count)
        var setMap = [UInt32](repeating: .max, count: oldStore.count)
        func newID(_ id: UInt32) -> UInt32 {
            if idMap[Int(id)] == .max { idMap[Int(id)] = fresh.intern(oldStrings.string(id)) }
            return idMap[Int(id)]
        }
        nameLabelID = newID(nameLabelID)
        rows.remap(
            labelSet: { set in
                if setMap[Int(set)] == .max { setMap[Int(set)] = store.copy(set, from: oldStore, remap: newID) }
                return setMap[Int(set)]
            }, id: newID)
        templateSets = templateSets.compactMapValues { setMap[Int($0)] == .max ? nil : setMap[Int($0)] }
        strings = fresh
        labelSetStore = store
        internedNames.removeAll()
        families.removeAll()
        removedSinceCompaction = 0
        rebuildSeriesByKey()
    }
}
