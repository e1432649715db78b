import CSnappyFloor

/// libsnappy called directly, with one output buffer reused across calls: the cost of
/// compressing bytes and nothing else, which remote-write encoding is compared with.
public final class SnappyFloor {
    private var output: [UInt8] = []

    public init() {}

    /// Compresses every body in turn and returns the total compressed size.
    public func compress(_ bodies: [[UInt8]]) -> Int {
        var total = 0
        for body in bodies { total += compress(body) }
        return total
    }

    /// Compresses `body` into the reused buffer and returns the compressed size.
    public func compress(_ body: [UInt8]) -> Int {
        let bound = snappy_max_compressed_length(body.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        var length = bound
        let status = body.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { destination in
                input.withMemoryRebound(to: CChar.self) { source in
                    destination.withMemoryRebound(to: CChar.self) { target in
                        snappy_compress(source.baseAddress, source.count, target.baseAddress, &length)
                    }
                }
            }
        }
        precondition(status == SNAPPY_OK, "snappy_compress failed with status \(status.rawValue)")
        return length
    }

    /// The uncompressed bytes of a snappy block (a remote-write request body).
    public static func uncompress(_ block: [UInt8]) -> [UInt8] {
        block.withUnsafeBufferPointer { input in
            input.withMemoryRebound(to: CChar.self) { source in
                var length = 0
                let sized = snappy_uncompressed_length(source.baseAddress, source.count, &length)
                precondition(sized == SNAPPY_OK, "not a snappy block")
                var result = [UInt8](repeating: 0, count: length)
                let status = result.withUnsafeMutableBufferPointer { destination in
                    destination.withMemoryRebound(to: CChar.self) {
                        snappy_uncompress(source.baseAddress, source.count, $0.baseAddress, &length)
                    }
                }
                precondition(status == SNAPPY_OK, "snappy_uncompress failed with status \(status.rawValue)")
                return result
            }
        }
    }
}
