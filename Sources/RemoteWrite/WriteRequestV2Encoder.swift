import CRemoteWriteProto

/// Packs one batch into a remote-write 2.0 `io.prometheus.write.v2.Request` with
/// protobuf-c.
///
/// Each request has its own symbol table: `symbols[0]` is "", every other string
/// appears once. Interned ids map to the request's refs through a table indexed by id
/// and stamped with the batch number, so building the table needs no hashing. The
/// structs live in arenas reused from batch to batch.
final class WriteRequestV2Encoder {
    private let series = Arena<Io__Prometheus__Write__V2__TimeSeries>()
    private let seriesPointers = Arena<UnsafeMutablePointer<Io__Prometheus__Write__V2__TimeSeries>?>()
    private let samples = Arena<Io__Prometheus__Write__V2__Sample>()
    private let samplePointers = Arena<UnsafeMutablePointer<Io__Prometheus__Write__V2__Sample>?>()
    private let metadata = Arena<Io__Prometheus__Write__V2__Metadata>()
    private let labelRefs = Arena<UInt32>()
    private let symbols = Arena<UnsafeMutablePointer<CChar>?>()
    private let packed = Arena<UInt8>(capacity: 64 * 1024)
    private var refByID: [UInt32] = []
    private var stampByID: [UInt32] = []
    private var stamp: UInt32 = 0

    private var seriesTemplate = Io__Prometheus__Write__V2__TimeSeries()
    private var sampleTemplate = Io__Prometheus__Write__V2__Sample()
    private var metadataTemplate = Io__Prometheus__Write__V2__Metadata()
    private var requestTemplate = Io__Prometheus__Write__V2__Request()

    init() {
        io__prometheus__write__v2__time_series__init(&seriesTemplate)
        io__prometheus__write__v2__sample__init(&sampleTemplate)
        io__prometheus__write__v2__metadata__init(&metadataTemplate)
        io__prometheus__write__v2__request__init(&requestTemplate)
    }

    /// Packs `batch` and calls `body` with the uncompressed bytes, valid only during
    /// the call.
    func encode<R>(
        _ batch: ArraySlice<PendingSample>, strings: StringInterner, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        let count = batch.count
        var refTotal = 0
        for pending in batch { refTotal += pending.series.labelIDs.count }
        series.reserve(count)
        seriesPointers.reserve(count)
        samples.reserve(count)
        samplePointers.reserve(count)
        metadata.reserve(count)
        labelRefs.reserve(refTotal)
        // At most every label string plus help and unit per series, plus "".
        symbols.reserve(min(refTotal + 2 * count + 1, strings.count))
        if refByID.count < strings.count {
            let grown = max(strings.count, refByID.count * 2)
            refByID += repeatElement(0, count: grown - refByID.count)
            stampByID += repeatElement(0, count: grown - stampByID.count)
        }
        if stamp == .max {
            stamp = 0
            for index in stampByID.indices { stampByID[index] = 0 }
        }
        stamp += 1
        let currentStamp = stamp

        var symbolCount = 0
        return try refByID.withUnsafeMutableBufferPointer { refByID in
            try stampByID.withUnsafeMutableBufferPointer { stampByID in
                @inline(__always) func ref(_ id: UInt32) -> UInt32 {
                    let slot = Int(id)
                    if stampByID[slot] == currentStamp { return refByID[slot] }
                    let assigned = UInt32(symbolCount)
                    stampByID[slot] = currentStamp
                    refByID[slot] = assigned
                    symbols[symbolCount].initialize(to: strings.cString(id))
                    symbolCount += 1
                    return assigned
                }
                _ = ref(0)

                var refIndex = 0
                var index = 0
                for pending in batch {
                    let entry = pending.series
                    var sample = sampleTemplate
                    sample.value = pending.value
                    sample.timestamp = pending.timestamp
                    samples[index].initialize(to: sample)
                    samplePointers[index].initialize(to: samples[index])

                    var timeSeries = seriesTemplate
                    timeSeries.labels_refs = labelRefs[refIndex]
                    timeSeries.n_labels_refs = entry.labelIDs.count
                    entry.labelIDs.withUnsafeBufferPointer { ids in
                        for id in ids {
                            labelRefs[refIndex].initialize(to: ref(id))
                            refIndex += 1
                        }
                    }
                    timeSeries.n_samples = 1
                    timeSeries.samples = samplePointers[index]

                    let family = entry.metadata
                    var item = metadataTemplate
                    item.type = MetricTypeCodes.v2(family.type)
                    item.help_ref = ref(family.helpID)
                    item.unit_ref = ref(family.unitID)
                    metadata[index].initialize(to: item)
                    timeSeries.metadata = metadata[index]

                    series[index].initialize(to: timeSeries)
                    seriesPointers[index].initialize(to: series[index])
                    index += 1
                }

                var request = requestTemplate
                request.n_symbols = symbolCount
                request.symbols = symbols.base
                request.n_timeseries = count
                request.timeseries = seriesPointers.base
                let size = io__prometheus__write__v2__request__get_packed_size(&request)
                packed.reserve(size)
                let written = io__prometheus__write__v2__request__pack(&request, packed.base)
                precondition(written == size, "protobuf-c packed \(written) bytes, announced \(size)")
                return try body(UnsafeRawBufferPointer(start: packed.base, count: written))
            }
        }
    }
}
