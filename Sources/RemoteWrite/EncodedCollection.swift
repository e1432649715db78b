/// What encoding one collection produced: the batches to queue, and the samples that
/// were dropped before encoding, by reason.
struct EncodedCollection: Sendable {
    var batches: [EncodedBatch] = []
    var dropped: [DropReason: Int] = [:]
    var staleMarkers = 0
    var samples = 0
}
