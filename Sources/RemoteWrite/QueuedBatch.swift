/// A batch at the head of a shard, ready to send.
struct QueuedBatch: Sendable {
    var shard: Int
    var sequence: UInt64
    var protocolVersion: RemoteWriteProtocol
    var sampleCount: Int
    var payload: [UInt8]
}
