/// What one collection would put on the wire for one destination, worked out by the
/// sender's own encoder (relabel rules, external labels, batching, snappy) without a
/// queue or a connection: `send --dry-run`.
public struct RemoteWritePreview: Sendable, Equatable {
    /// Requests the collection is split into (`max_samples_per_send` samples at most each).
    public var requests: Int
    /// Their bodies' size, snappy-compressed, as sent.
    public var bytes: Int
    /// Samples in the requests.
    public var samples: Int
    /// Distinct series of the input.
    public var inputSeries: Int
    /// Series the requests carry: fewer than `inputSeries` when the write relabel rules
    /// drop or merge series, or samples are dropped.
    public var series: Int
    /// Samples dropped before encoding (duplicate series, no name, out of order), by reason.
    public var dropped: [DropReason: Int]
}
