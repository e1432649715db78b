import Exposition

/// Encodes collections into remote-write request bodies exactly as ``RemoteWriteSender``
/// does (series tracking, staleness markers, shards, batches of `maxSamplesPerSend`
/// samples, snappy), without a queue or a receiver: for tools and benchmarks.
///
/// Like the sender's own encoder it remembers the series of earlier collections, so a
/// second collection with the same series costs what a steady-state collection costs.
/// Not thread-safe.
public final class RemoteWriteEncoder {
    public let protocolVersion: RemoteWriteProtocol
    private let encoder: CollectionEncoder

    public init(
        protocolVersion: RemoteWriteProtocol = .v1, externalLabels: Labels = .empty, shards: Int = 1,
        maxSamplesPerSend: Int = RemoteWriteConfiguration.defaultMaxSamplesPerSend
    ) {
        self.protocolVersion = protocolVersion
        encoder = CollectionEncoder(
            externalLabels: externalLabels, shardCount: max(1, shards), maxSamplesPerSend: max(1, maxSamplesPerSend))
    }

    /// The encoder a sender with `configuration` uses (its protocol, external labels,
    /// write relabel rules, shards and batch size). Throws what the sender would throw
    /// for an invalid configuration.
    public init(configuration: RemoteWriteConfiguration) throws(RemoteWriteError) {
        try configuration.validate()
        protocolVersion = configuration.protocolVersion
        encoder = CollectionEncoder(
            externalLabels: configuration.externalLabels, shardCount: max(1, configuration.shards),
            maxSamplesPerSend: max(1, configuration.maxSamplesPerSend), relabeler: try configuration.makeRelabeler())
    }

    /// What `families` taken at `timestampMilliseconds` would be sent as.
    public func preview(_ families: [MetricFamily], timestampMilliseconds: Int64) throws(RemoteWriteError)
        -> RemoteWritePreview
    {
        let before = encoder.seriesCount
        let encoded = try encoder.encode(families, timestamp: timestampMilliseconds, protocolVersion: protocolVersion)
        let series = encoder.seriesCount - before
        let inputSeries = Set(families.lazy.flatMap(\.samples).map { SeriesKey(name: $0.name, labels: $0.labels) })
        return RemoteWritePreview(
            requests: encoded.batches.count, bytes: encoded.batches.reduce(0) { $0 + $1.payload.count },
            samples: encoded.batches.reduce(0) { $0 + $1.sampleCount }, inputSeries: inputSeries.count,
            series: series, dropped: encoded.dropped)
    }

    /// The snappy-compressed request bodies of one collection taken at
    /// `timestampMilliseconds` (a sample's own timestamp wins), in shard order.
    public func encode(_ families: [MetricFamily], timestampMilliseconds: Int64) throws(RemoteWriteError) -> [[UInt8]] {
        try encoder.encode(families, timestamp: timestampMilliseconds, protocolVersion: protocolVersion).batches.map(
            \.payload)
    }
}
