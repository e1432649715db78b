/// Why samples were dropped instead of delivered, the `reason` label of
/// `ipvs_push_remote_write_samples_dropped_total`.
public enum DropReason: String, Sendable, Hashable, CaseIterable {
    /// The receiver answered with a 4xx other than a retried 429 (bad data, a tenant
    /// limit): sending it again cannot succeed.
    case receiverRejected = "receiver_rejected"
    /// The queue reached `queueMaxBytes`; the oldest batches made room for new ones.
    case queueFull = "queue_full"
    /// A series appeared twice in one collection; the later samples were dropped.
    case duplicateSeries = "duplicate_series"
    /// A sample without a metric name.
    case invalidSeries = "invalid_series"
    /// A sample whose timestamp is not after the last one sent for its series: a
    /// receiver would reject the whole request for it.
    case outOfOrder = "out_of_order"
    /// The batch could not be written to the queue (disk full, I/O error).
    case queueWriteFailed = "queue_write_failed"
    /// A queued 2.0 batch could not be turned into 1.0 after a fallback (damaged).
    case undecodable = "undecodable"
}
