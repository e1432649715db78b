/// A document in one of the text formats that is rendered piece by piece, for callers
/// that write it out while it is being rendered (`dump`, the pull server).
///
/// ``ExpositionChunkRenderer`` renders any metric families this way; a producer that
/// knows its data can render straight from it, without building the families first
/// (the collector does: at 10,000 services the families alone are over 40 MB).
public protocol ExpositionDocument {
    /// Whether the whole document has been rendered (the next call appends nothing).
    var isComplete: Bool { get }

    /// Appends the next piece: whole lines until `buffer` has grown by `limit` bytes or
    /// more, or the document is complete.
    mutating func render(into buffer: inout [UInt8], upTo limit: Int)
}

extension ExpositionDocument {
    /// Renders the rest of the document in pieces of about `limit` bytes, handing each to
    /// `sink` in one reused buffer.
    public mutating func write(inPiecesOf limit: Int, to sink: ([UInt8]) throws -> Void) rethrows {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(limit + 4096)
        while !isComplete {
            buffer.removeAll(keepingCapacity: true)
            render(into: &buffer, upTo: limit)
            if !buffer.isEmpty { try sink(buffer) }
        }
    }
}
