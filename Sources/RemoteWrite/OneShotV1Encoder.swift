import Dispatch
import Exposition
import Foundation

/// Encodes one collection whose samples are all distinct series into remote-write 1.0
/// batches, without remembering anything: the path of `send`, which pushes one file
/// once.
///
/// ``CollectionEncoder`` interns every series so that the next collection finds it by
/// number; for a collection that has no next one, that bookkeeping is most of the cost
/// (at 600,000 series it was 62% of `send`'s CPU). Here each sample's `TimeSeries` is
/// written straight from its strings: `__name__`, the labels (sorted, as ``Labels``
/// keeps them), and the external labels merged into their sorted place. The bytes are
/// those ``CollectionEncoder`` sends for the same collection when it is its first (same
/// label rules, same batch cuts, same metadata), which the tests check; only the dealing
/// of batches to shards may differ, and with every series sent once it cannot put a
/// series' samples out of order.
///
/// It does not check that the series are distinct, nor apply write relabel rules: the
/// caller uses it only when the input's reader already refused repeated series and no
/// rules are configured (``CollectionEncoder/encodeOnce(_:timestamp:protocolVersion:)``).
enum OneShotV1Encoder {
    /// Where a batch starts: a family, a sample in it, and how many samples (valid ones:
    /// with a name) the batch holds.
    private struct Job {
        var family: Int
        var sample: Int
        var count: Int
    }

    /// The batches of `collection` stamped `timestamp` where a sample has none, cut every
    /// `maxSamplesPerSend` samples and dealt to `shardCount` shards in turn. `externalLabels`:
    /// those with a name and a value, as ``CollectionEncoder`` keeps them.
    static func encode(
        _ collection: [MetricFamily], timestamp: Int64, externalLabels: [Label], maxSamplesPerSend: Int,
        shardCount: Int
    ) throws(RemoteWriteError) -> EncodedCollection {
        var result = EncodedCollection()
        var jobs: [Job] = []
        var inJob = maxSamplesPerSend
        for (familyIndex, family) in collection.enumerated() {
            for (sampleIndex, sample) in family.samples.enumerated() {
                guard !sample.name.isEmpty else {
                    result.dropped[.invalidSeries, default: 0] += 1
                    continue
                }
                if inJob == maxSamplesPerSend {
                    jobs.append(Job(family: familyIndex, sample: sampleIndex, count: 0))
                    inJob = 0
                }
                inJob += 1
                jobs[jobs.count - 1].count += 1
            }
        }
        result.samples = jobs.reduce(0) { $0 + $1.count }
        let workers = (0..<max(1, min(jobs.count, ProcessInfo.processInfo.activeProcessorCount, 8))).map { _ in
            BatchWriter(timestamp: timestamp, external: externalLabels)
        }
        let payloads = ParallelJobs.run(count: jobs.count, workers: workers) { writer, index in
            writer.encode(collection, from: jobs[index])
        }
        for (index, job) in jobs.enumerated() {
            result.batches.append(
                EncodedBatch(
                    shard: index % shardCount, protocolVersion: .v1, sampleCount: job.count,
                    payload: try payloads[index].get()))
        }
        return result
    }

    /// One worker's buffers: the request as packed, and as compressed.
    private final class BatchWriter {
        private let packed = WireBuffer()
        private let compressed = Arena<UInt8>(capacity: 64 * 1024)
        private let timestamp: Int64
        private let external: [Label]

        init(timestamp: Int64, external: [Label]) {
            self.timestamp = timestamp
            self.external = external
        }

        /// Packs and compresses the batch `job`.
        func encode(_ collection: [MetricFamily], from job: Job) -> Result<[UInt8], RemoteWriteError> {
            packed.count = 0
            var familiesInBatch: [Int] = []
            var left = job.count
            var familyIndex = job.family
            var sampleIndex = job.sample
            while left > 0 {
                let family = collection[familyIndex]
                var wroteAny = false
                // Read in place: copying a sample out would retain and release its strings.
                family.samples.withUnsafeBufferPointer { samples in
                    while left > 0 && sampleIndex < samples.count {
                        let sample = samples.baseAddress! + sampleIndex
                        sampleIndex += 1
                        guard !sample.pointee.name.isEmpty else { continue }
                        write(sample)
                        wroteAny = true
                        left -= 1
                    }
                }
                if wroteAny, !familiesInBatch.contains(where: { collection[$0].name == family.name }) {
                    familiesInBatch.append(familyIndex)
                }
                familyIndex += 1
                sampleIndex = 0
            }
            // The metadata (field 3) of every family in the batch, after the series.
            for index in familiesInBatch { writeMetadata(collection[index]) }
            let packed = packed
            let compressed = compressed
            return Result { () throws(RemoteWriteError) -> [UInt8] in
                try Snappy.compress(packed.base, count: packed.count, output: compressed)
            }
        }

        /// One `TimeSeries`: its labels sorted bytewise with `__name__` and the external
        /// labels in their place, then its `Sample`.
        private func write(_ sample: UnsafePointer<Sample>) {
            let set = encodedSet(sample)
            let nameLength = sample.pointee.name.utf8.count
            let nameBody = Self.nameLabelNameSize + WireCursor.stringFieldSize(nameLength)
            let nameField = 1 + WireCursor.varintSize(nameBody) + nameBody
            let value = sample.pointee.value
            let timestamp = sample.pointee.timestampMilliseconds ?? self.timestamp
            let sampleSize = WireCursor.sampleBodySize(value: value, timestamp: timestamp)
            let size = set.count + nameField + 1 + WireCursor.varintSize(sampleSize) + sampleSize
            packed.ensure(size + 11)
            var cursor = packed.cursor
            cursor.byte(WireCursor.tag(1, 2))  // WriteRequest.timeseries
            cursor.varint(size)
            let setBytes = UnsafeRawPointer(sets.base + set.start)
            cursor.bytes(setBytes, count: set.nameOffset)
            cursor.byte(WireCursor.tag(1, 2))  // TimeSeries.labels
            cursor.varint(nameBody)
            cursor.stringField(1, "__name__")  // Label.name
            cursor.stringField(2, sample.pointee.name)  // Label.value
            cursor.bytes(setBytes + set.nameOffset, count: set.count - set.nameOffset)
            cursor.byte(WireCursor.tag(2, 2))  // TimeSeries.samples
            cursor.varint(sampleSize)
            cursor.sampleBody(value: value, timestamp: timestamp)
            packed.advance(to: cursor)
        }

        /// The size of `__name__`'s `Label.name` field.
        private static let nameLabelNameSize = WireCursor.stringFieldSize("__name__".utf8.count)

        /// Where a label set's `TimeSeries.labels` fields are in `sets`, and where among
        /// them `__name__`'s goes.
        private struct EncodedSet {
            var start: Int
            var count: Int
            var nameOffset: Int
        }

        /// The label fields of each label set met so far, by the address of its storage:
        /// the parser gives every sample of one label set the same ``Labels`` (an object's
        /// set is shared by all its families), so the strings of a set are encoded once, not
        /// once per sample. The collection is alive while the writer is, so an address
        /// names one set.
        private var encodedSets: [UnsafeRawPointer: EncodedSet] = [:]
        private let sets = WireBuffer()

        /// Where a sample keeps its label storage reference (as ``LabelSetIndex`` reads it).
        private static let labelsOffset = MemoryLayout<Sample>.offset(of: \Sample.labels)!

        /// The sample's labels as `TimeSeries.labels` fields (empty names and values left
        /// out, the external labels merged in, sorted), encoded once per set. The set is
        /// known by its storage's address, read without retaining it: most sets are met
        /// again, and touching each one's reference count (50,000 sets a document, out of
        /// cache) cost more than encoding.
        private func encodedSet(_ sample: UnsafePointer<Sample>) -> EncodedSet {
            let address = UnsafeRawPointer(sample).load(fromByteOffset: Self.labelsOffset, as: UnsafeRawPointer.self)
            if let known = encodedSets[address] { return known }
            // The set as the agent's encoder stores it, so that the bytes are the same.
            let template = CollectionEncoder.templatePairs(sample.pointee.labels, external: external)
            let start = sets.count
            var nameOffset = 0
            for (index, pair) in template.pairs.enumerated() {
                if index == template.nameIndex { nameOffset = sets.count - start }
                let body =
                    WireCursor.stringFieldSize(pair.name.utf8.count)
                    + WireCursor.stringFieldSize(pair.value.utf8.count)
                sets.ensure(body + 11)
                var cursor = sets.cursor
                cursor.byte(WireCursor.tag(1, 2))  // TimeSeries.labels
                cursor.varint(body)
                cursor.stringField(1, pair.name)  // Label.name
                cursor.stringField(2, pair.value)  // Label.value
                sets.advance(to: cursor)
            }
            if template.nameIndex == template.pairs.count { nameOffset = sets.count - start }
            let set = EncodedSet(start: start, count: sets.count - start, nameOffset: nameOffset)
            encodedSets[address] = set
            return set
        }

        /// One `MetricMetadata`.
        private func writeMetadata(_ family: MetricFamily) {
            let type = UInt64(MetricTypeCodes.code(family.type))
            let size =
                (type != 0 ? 1 + WireCursor.varintSize(type) : 0)
                + WireCursor.stringFieldSize(family.metadataName.utf8.count)
                + WireCursor.stringFieldSize(family.help.utf8.count)
                + WireCursor.stringFieldSize((family.unit ?? "").utf8.count)
            packed.ensure(size + 11)
            var cursor = packed.cursor
            cursor.byte(WireCursor.tag(3, 2))  // WriteRequest.metadata
            cursor.varint(size)
            if type != 0 {
                cursor.byte(WireCursor.tag(1, 0))
                cursor.varint(type)
            }
            cursor.stringField(2, family.metadataName)
            cursor.stringField(4, family.help)
            cursor.stringField(5, family.unit ?? "")
            packed.advance(to: cursor)
        }
    }
}

extension WireCursor {
    /// A proto3 `string` field; nothing for "" (the default).
    @inline(__always)
    mutating func stringField(_ field: UInt8, _ string: String) {
        let utf8 = string.utf8
        guard !utf8.isEmpty else { return }
        byte(Self.tag(field, 2))
        varint(utf8.count)
        if utf8.withContiguousStorageIfAvailable({ bytes($0.baseAddress!, count: $0.count) }) == nil {
            for byte in utf8 { self.byte(byte) }
        }
    }
}
