import CRemoteWriteProto

/// Packs one batch into a remote-write 1.0 `prometheus.WriteRequest` with protobuf-c.
///
/// The structs live in arenas reused from batch to batch: one array of `TimeSeries`,
/// one of `Label`, one of `Sample`, and the pointer arrays protobuf-c wants, instead
/// of an allocation per message. Strings are not copied: `char *` fields point into
/// the interner.
final class WriteRequestV1Encoder {
    private let series = Arena<Prometheus__TimeSeries>()
    private let seriesPointers = Arena<UnsafeMutablePointer<Prometheus__TimeSeries>?>()
    private let samples = Arena<Prometheus__Sample>()
    private let samplePointers = Arena<UnsafeMutablePointer<Prometheus__Sample>?>()
    private let labels = Arena<Prometheus__Label>()
    private let labelPointers = Arena<UnsafeMutablePointer<Prometheus__Label>?>()
    private let metadata = Arena<Prometheus__MetricMetadata>()
    private let metadataPointers = Arena<UnsafeMutablePointer<Prometheus__MetricMetadata>?>()
    private let packed = Arena<UInt8>(capacity: 64 * 1024)
    private var familiesInBatch: Set<UInt32> = []

    private var seriesTemplate = Prometheus__TimeSeries()
    private var sampleTemplate = Prometheus__Sample()
    private var labelTemplate = Prometheus__Label()
    private var metadataTemplate = Prometheus__MetricMetadata()
    private var requestTemplate = Prometheus__WriteRequest()

    init() {
        prometheus__time_series__init(&seriesTemplate)
        prometheus__sample__init(&sampleTemplate)
        prometheus__label__init(&labelTemplate)
        prometheus__metric_metadata__init(&metadataTemplate)
        prometheus__write_request__init(&requestTemplate)
    }

    /// Packs `batch` (with the metadata of every family in it) and calls `body` with
    /// the uncompressed bytes, valid only during the call.
    func encode<R>(
        _ batch: ArraySlice<PendingSample>, strings: StringInterner, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        let count = batch.count
        var labelTotal = 0
        for pending in batch { labelTotal += pending.series.labelCount }
        series.reserve(count)
        seriesPointers.reserve(count)
        samples.reserve(count)
        samplePointers.reserve(count)
        labels.reserve(labelTotal)
        labelPointers.reserve(labelTotal)
        metadata.reserve(count)
        metadataPointers.reserve(count)
        familiesInBatch.removeAll(keepingCapacity: true)

        var labelIndex = 0
        var metadataCount = 0
        var index = 0
        for pending in batch {
            let entry = pending.series
            var sample = sampleTemplate
            sample.value = pending.value
            sample.timestamp = pending.timestamp
            samples[index].initialize(to: sample)
            samplePointers[index].initialize(to: samples[index])

            var timeSeries = seriesTemplate
            timeSeries.n_labels = entry.labelCount
            timeSeries.labels = labelPointers[labelIndex]
            timeSeries.n_samples = 1
            timeSeries.samples = samplePointers[index]
            entry.labelIDs.withUnsafeBufferPointer { ids in
                var pair = 0
                while pair < ids.count {
                    var label = labelTemplate
                    label.name = strings.cString(ids[pair])
                    label.value = strings.cString(ids[pair + 1])
                    labels[labelIndex].initialize(to: label)
                    labelPointers[labelIndex].initialize(to: labels[labelIndex])
                    labelIndex += 1
                    pair += 2
                }
            }
            series[index].initialize(to: timeSeries)
            seriesPointers[index].initialize(to: series[index])

            let family = entry.metadata
            if familiesInBatch.insert(family.nameID).inserted {
                var item = metadataTemplate
                item.type = MetricTypeCodes.v1(family.type)
                item.metric_family_name = strings.cString(family.nameID)
                item.help = strings.cString(family.helpID)
                item.unit = strings.cString(family.unitID)
                metadata[metadataCount].initialize(to: item)
                metadataPointers[metadataCount].initialize(to: metadata[metadataCount])
                metadataCount += 1
            }
            index += 1
        }

        var request = requestTemplate
        request.n_timeseries = count
        request.timeseries = seriesPointers.base
        request.n_metadata = metadataCount
        request.metadata = metadataPointers.base
        let size = prometheus__write_request__get_packed_size(&request)
        packed.reserve(size)
        let written = prometheus__write_request__pack(&request, packed.base)
        precondition(written == size, "protobuf-c packed \(written) bytes, announced \(size)")
        return try body(UnsafeRawBufferPointer(start: packed.base, count: written))
    }
}
