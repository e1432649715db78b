/// zlib refused to compress or decompress: `code` is zlib's return code.
public struct GzipError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "gzip: \(message) (zlib code \(code))" }
}
