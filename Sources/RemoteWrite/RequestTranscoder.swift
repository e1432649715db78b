import CRemoteWriteProto
import Exposition

#if canImport(Glibc)
    import Glibc
#endif

/// Rewrites a queued remote-write 2.0 batch as 1.0, for batches queued before the
/// receiver turned out to speak only 1.0. Rare, so it allocates per call.
enum RequestTranscoder {
    static func v2ToV1(_ compressed: [UInt8]) throws(RemoteWriteError) -> [UInt8] {
        guard let body = Snappy.uncompress(compressed) else { throw .encoding("queued 2.0 batch is not valid snappy") }
        let decoded = body.withUnsafeBufferPointer {
            io__prometheus__write__v2__request__unpack(nil, $0.count, $0.baseAddress)
        }
        guard let request = decoded else {
            throw .encoding("queued 2.0 batch is not a valid io.prometheus.write.v2.Request")
        }
        defer { io__prometheus__write__v2__request__free_unpacked(request, nil) }
        let symbolCount = request.pointee.n_symbols
        let symbols = request.pointee.symbols
        let seriesCount = request.pointee.n_timeseries

        var labelTotal = 0
        var sampleTotal = 0
        for index in 0..<seriesCount {
            let series = request.pointee.timeseries[index]!.pointee
            guard series.n_labels_refs % 2 == 0 else {
                throw .encoding("queued 2.0 batch has an odd labels_refs count")
            }
            for ref in 0..<series.n_labels_refs where Int(series.labels_refs[ref]) >= symbolCount {
                throw .encoding("queued 2.0 batch has a symbol ref out of range")
            }
            labelTotal += series.n_labels_refs / 2
            sampleTotal += series.n_samples
        }

        let v1Series = Arena<Prometheus__TimeSeries>(capacity: seriesCount)
        let v1SeriesPointers = Arena<UnsafeMutablePointer<Prometheus__TimeSeries>?>(capacity: seriesCount)
        let labels = Arena<Prometheus__Label>(capacity: labelTotal)
        let labelPointers = Arena<UnsafeMutablePointer<Prometheus__Label>?>(capacity: labelTotal)
        let samples = Arena<Prometheus__Sample>(capacity: sampleTotal)
        let samplePointers = Arena<UnsafeMutablePointer<Prometheus__Sample>?>(capacity: sampleTotal)
        let metadata = Arena<Prometheus__MetricMetadata>(capacity: seriesCount)
        let metadataPointers = Arena<UnsafeMutablePointer<Prometheus__MetricMetadata>?>(capacity: seriesCount)
        var familyNames: [String: UnsafeMutablePointer<CChar>] = [:]
        defer { for pointer in familyNames.values { free(pointer) } }

        var seriesTemplate = Prometheus__TimeSeries()
        prometheus__time_series__init(&seriesTemplate)
        var labelTemplate = Prometheus__Label()
        prometheus__label__init(&labelTemplate)
        var sampleTemplate = Prometheus__Sample()
        prometheus__sample__init(&sampleTemplate)
        var metadataTemplate = Prometheus__MetricMetadata()
        prometheus__metric_metadata__init(&metadataTemplate)

        var labelIndex = 0
        var sampleIndex = 0
        var metadataCount = 0
        for index in 0..<seriesCount {
            let series = request.pointee.timeseries[index]!.pointee
            var timeSeries = seriesTemplate
            timeSeries.n_labels = series.n_labels_refs / 2
            timeSeries.labels = labelPointers[labelIndex]
            var metricName = ""
            var pair = 0
            while pair < series.n_labels_refs {
                var label = labelTemplate
                label.name = symbols![Int(series.labels_refs[pair])]
                label.value = symbols![Int(series.labels_refs[pair + 1])]
                if String(cString: label.name) == "__name__" { metricName = String(cString: label.value) }
                labels[labelIndex].initialize(to: label)
                labelPointers[labelIndex].initialize(to: labels[labelIndex])
                labelIndex += 1
                pair += 2
            }
            timeSeries.n_samples = series.n_samples
            timeSeries.samples = samplePointers[sampleIndex]
            for sampleNumber in 0..<series.n_samples {
                let source = series.samples[sampleNumber]!.pointee
                var sample = sampleTemplate
                sample.value = source.value
                sample.timestamp = source.timestamp
                samples[sampleIndex].initialize(to: sample)
                samplePointers[sampleIndex].initialize(to: samples[sampleIndex])
                sampleIndex += 1
            }
            v1Series[index].initialize(to: timeSeries)
            v1SeriesPointers[index].initialize(to: v1Series[index])

            if let source = series.metadata?.pointee, !metricName.isEmpty {
                let type = MetricTypeCodes.type(source.type.rawValue)
                let family = familyName(metricName, type: type)
                if familyNames[family] == nil, Int(source.help_ref) < symbolCount, Int(source.unit_ref) < symbolCount {
                    guard let copy = strdup(family) else { throw .encoding("out of memory") }
                    familyNames[family] = copy
                    var item = metadataTemplate
                    item.type = Prometheus__MetricMetadata__MetricType(rawValue: source.type.rawValue)
                    item.metric_family_name = copy
                    item.help = symbols![Int(source.help_ref)]
                    item.unit = symbols![Int(source.unit_ref)]
                    metadata[metadataCount].initialize(to: item)
                    metadataPointers[metadataCount].initialize(to: metadata[metadataCount])
                    metadataCount += 1
                }
            }
        }

        var writeRequest = Prometheus__WriteRequest()
        prometheus__write_request__init(&writeRequest)
        writeRequest.n_timeseries = seriesCount
        writeRequest.timeseries = v1SeriesPointers.base
        writeRequest.n_metadata = metadataCount
        writeRequest.metadata = metadataPointers.base
        let size = prometheus__write_request__get_packed_size(&writeRequest)
        let packed = Arena<UInt8>(capacity: size)
        let written = prometheus__write_request__pack(&writeRequest, packed.base)
        return try Snappy.compress(UnsafeRawPointer(packed.base), count: written, output: Arena<UInt8>())
    }

    /// The family a series belongs to: a histogram's or summary's `_bucket`, `_sum`
    /// and `_count` series share the family name without the suffix, an info series'
    /// is its name without `_info`. 2.0 does not say whether a counter came as
    /// OpenMetrics, so a counter's series keeps its `_total`.
    static func familyName(_ metricName: String, type: Exposition.MetricType) -> String {
        let suffixes: [String]
        switch type {
        case .histogram: suffixes = ["_bucket", "_sum", "_count"]
        case .gaugeHistogram: suffixes = ["_bucket", "_gsum", "_gcount"]
        case .summary: suffixes = ["_sum", "_count"]
        case .info: suffixes = ["_info"]
        case .counter, .gauge, .untyped, .stateset: return metricName
        }
        for suffix in suffixes where metricName.hasSuffix(suffix) && metricName.count > suffix.count {
            return String(metricName.dropLast(suffix.count))
        }
        return metricName
    }
}
