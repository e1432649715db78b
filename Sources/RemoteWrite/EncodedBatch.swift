/// One request body ready for the queue: snappy-compressed protobuf for one shard.
struct EncodedBatch: Sendable {
    var shard: Int
    var protocolVersion: RemoteWriteProtocol
    var sampleCount: Int
    var payload: [UInt8]
}
