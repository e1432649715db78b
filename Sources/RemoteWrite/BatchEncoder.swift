/// One worker's encoders and compression arena: packs a batch in either protocol
/// and compresses it with snappy.
final class BatchEncoder {
    private let v1 = WriteRequestV1Encoder()
    private let v2 = WriteRequestV2Encoder()
    private let compressed = Arena<UInt8>(capacity: 64 * 1024)

    func encode(_ batch: ArraySlice<PendingSample>, protocolVersion: RemoteWriteProtocol, tables: EncodingTables)
        throws(RemoteWriteError) -> [UInt8]
    {
        let compressed = compressed
        let result: Result<[UInt8], RemoteWriteError>
        switch protocolVersion {
        case .v1:
            result = v1.encode(batch, tables: tables) { bytes in
                Result { () throws(RemoteWriteError) in
                    try Snappy.compress(bytes.baseAddress!, count: bytes.count, output: compressed)
                }
            }
        case .v2:
            result = v2.encode(batch, tables: tables) { bytes in
                Result { () throws(RemoteWriteError) in
                    try Snappy.compress(bytes.baseAddress!, count: bytes.count, output: compressed)
                }
            }
        }
        return try result.get()
    }
}
