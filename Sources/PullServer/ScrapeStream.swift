import Exposition
import Logging
import NIOCore
import NIOHTTP1

/// The body of a scrape, rendered and written to the connection piece by piece.
///
/// At 10,000 services the document is about 120 MB; rendering it whole before sending
/// kept it (and NIO's copy of it) in memory at once, and mapped that much fresh memory
/// on every scrape. Here a piece of about ``chunkSize`` bytes is rendered
/// (an `ExpositionDocument`) while the one before it is being written, and a piece
/// is only rendered once the write two pieces back has completed. So memory stays at a
/// few pieces, the pieces' buffers are reused, and a slow client slows the rendering
/// down instead of piling the document up in the channel. The response compressor
/// gzips each piece as it passes (one deflate stream, flushed per piece). From a
/// ``ScrapeDocumentSource`` the pieces are rendered straight from the collection.
///
/// The head is written by ``MetricsHTTPHandler`` without `Content-Length`: HTTP/1.1
/// clients get chunked transfer encoding, HTTP/1.0 clients a body that ends when the
/// connection closes.
final class ScrapeStream: Sendable {
    /// The size of one piece: large enough that per-write costs vanish, small enough
    /// to stay below glibc's mmap threshold's growth and out of the peak memory.
    static let chunkSize = 256 * 1024

    let content: ScrapeContent
    let format: ExpositionFormat
    /// The server's own families, merged into the document.
    let extra: [MetricFamily]
    private let logger: Logger
    private let started: ContinuousClock.Instant

    init(
        content: ScrapeContent, format: ExpositionFormat, extra: [MetricFamily], logger: Logger,
        started: ContinuousClock.Instant
    ) {
        self.content = content
        self.format = format
        self.extra = extra
        self.logger = logger
        self.started = started
    }

    /// Writes the body and the end of the response to `channel` in a task of its own,
    /// then closes the connection when `closing`. A failed write (the client went
    /// away) ends the stream and closes the connection.
    func write(to channel: any Channel, closing: Bool) {
        Task { await self.run(on: channel, closing: closing) }
    }

    private func run(on channel: any Channel, closing: Bool) async {
        var renderer = content.document(format: format, extra: extra)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.chunkSize + 64 * 1024)
        var buffers = [channel.allocator.buffer(capacity: 0), channel.allocator.buffer(capacity: 0)]
        var writes: [EventLoopFuture<Void>?] = [nil, nil]
        var slot = 0
        var total = 0
        do {
            while !renderer.isComplete {
                bytes.removeAll(keepingCapacity: true)
                renderer.render(into: &bytes, upTo: Self.chunkSize)
                guard !bytes.isEmpty else { continue }
                // The buffer of this slot went out two pieces ago; once its write is done
                // NIO holds it no more, so refilling it copies nothing.
                if let pending = writes[slot] { try await pending.get() }
                buffers[slot].clear()
                buffers[slot].writeBytes(bytes)
                total += bytes.count
                writes[slot] = channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffers[slot])))
                slot = 1 - slot
            }
            for case let pending? in writes { try await pending.get() }
            try await channel.writeAndFlush(HTTPServerResponsePart.end(nil)).get()
            logger.debug(
                "served a scrape",
                metadata: [
                    "scrape.format": "\(format.rawValue)", "scrape.bytes": "\(total)",
                    "scrape.duration": "\(ContinuousClock.now - started)",
                ])
            if closing { try? await channel.close().get() }
        } catch {
            logger.debug(
                "scrape response not completed: \(error)", metadata: ["scrape.bytes.written": "\(total)"])
            try? await channel.close().get()
        }
    }
}
