import CZlib

/// gzip (RFC 1952) for request bodies sent with `Content-Encoding: gzip`, through zlib.
public enum Gzip {
    /// zlib's default trade-off between speed and size.
    public static let defaultLevel: Int32 = 6

    /// zlib's window bits for a gzip wrapper instead of a zlib one (15 + 16).
    private static let gzipWindowBits: Int32 = 31

    /// `input` compressed as one gzip member.
    public static func compress(_ input: [UInt8], level: Int32 = defaultLevel) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        var status = CZlib_deflateInit2(&stream, level, Z_DEFLATED, gzipWindowBits, 8, Z_DEFAULT_STRATEGY)
        guard status == Z_OK else { throw GzipError(code: status, message: "deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw GzipError(code: status, message: "deflate did not finish") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// The content of gzip data (all members), at most `limit` bytes of it.
    public static func decompress(_ input: [UInt8], limit: Int = 64 << 20) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        var status = CZlib_inflateInit2(&stream, gzipWindowBits)
        guard status == Z_OK else { throw GzipError(code: status, message: "inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        var consumed = 0
        repeat {
            let produced: Int
            (status, produced, consumed) = input.withUnsafeMutableBufferPointer { source in
                chunk.withUnsafeMutableBufferPointer { destination in
                    stream.next_in = source.baseAddress.map { $0 + consumed }
                    stream.avail_in = uInt(source.count - consumed)
                    stream.next_out = destination.baseAddress
                    stream.avail_out = uInt(destination.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, destination.count - Int(stream.avail_out), source.count - Int(stream.avail_in))
                }
            }
            output.append(contentsOf: chunk[0..<produced])
            guard output.count <= limit else {
                throw GzipError(code: Z_BUF_ERROR, message: "output exceeds \(limit) bytes")
            }
            if status == Z_STREAM_END && consumed < input.count {
                status = inflateReset(&stream)
            } else if status == Z_STREAM_END {
                return output
            }
        } while status == Z_OK
        throw GzipError(code: status, message: status == Z_BUF_ERROR ? "truncated gzip data" : "invalid gzip data")
    }
}
