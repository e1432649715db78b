import Logging
import NIOCore
import NIOSSL

/// Logs why a TLS connection failed (a plain-HTTP client, an untrusted or missing client
/// certificate, no common protocol version) at debug level and closes it; the TLS handler
/// has already answered with an alert where TLS allows one. Without it the error would
/// end unseen at the end of the pipeline.
final class TLSErrorLogger: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is NIOSSLError || error is BoringSSLError else {
            context.fireErrorCaught(error)
            return
        }
        logger.debug(
            "TLS connection failed",
            metadata: [
                "client.address": "\(context.channel.remoteAddress.map { "\($0)" } ?? "unknown")",
                "error": "\(error)",
            ])
        context.close(promise: nil)
    }
}
