import CSnappy

/// snappy's block format (not the framed stream format), which remote write uses.
enum Snappy {
    /// Compresses `count` bytes at `input` into `output`, which grows as needed, and
    /// returns the compressed bytes.
    static func compress(_ input: UnsafeRawPointer, count: Int, output: Arena<UInt8>) throws(RemoteWriteError)
        -> [UInt8]
    {
        let bound = snappy_max_compressed_length(count)
        output.reserve(bound)
        var length = bound
        let status = output.base.withMemoryRebound(to: CChar.self, capacity: bound) {
            snappy_compress(input.assumingMemoryBound(to: CChar.self), count, $0, &length)
        }
        guard status == SNAPPY_OK else { throw .encoding("snappy_compress failed with status \(status.rawValue)") }
        return Array(UnsafeBufferPointer(start: output.base, count: length))
    }

    static func compress(_ input: [UInt8]) throws(RemoteWriteError) -> [UInt8] {
        let output = Arena<UInt8>()
        let result = input.withUnsafeBytes { buffer in
            Result { () throws(RemoteWriteError) -> [UInt8] in
                try compress(
                    buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, count: buffer.count, output: output)
            }
        }
        return try result.get()
    }

    /// Decompresses a snappy block; nil when `input` is not one.
    ///
    /// The block is validated before the output is allocated: its first bytes claim the
    /// uncompressed length (up to 4 GiB), and a damaged block would otherwise have that
    /// much zeroed memory allocated for it before failing to decompress.
    static func uncompress(_ input: [UInt8]) -> [UInt8]? {
        input.withUnsafeBytes { buffer -> [UInt8]? in
            guard let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self) else { return nil }
            var length = 0
            guard snappy_validate_compressed_buffer(base, buffer.count) == SNAPPY_OK,
                snappy_uncompressed_length(base, buffer.count, &length) == SNAPPY_OK
            else { return nil }
            var output = [UInt8](repeating: 0, count: length)
            let status = output.withUnsafeMutableBytes {
                snappy_uncompress(base, buffer.count, $0.baseAddress?.assumingMemoryBound(to: CChar.self), &length)
            }
            guard status == SNAPPY_OK else { return nil }
            return Array(output.prefix(length))
        }
    }
}
