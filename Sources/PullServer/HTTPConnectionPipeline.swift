import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// Builds the handlers of one accepted connection, in order:
///
/// 1. (later) a TLS handler, when the exporter-toolkit `web.config.yml` turns TLS on:
///    it goes first, in front of the HTTP codec, and nothing below changes;
/// 2. the HTTP/1.1 codec with pipelining assistance (one request at a time reaches the
///    handlers below) and protocol error handling (400 on malformed requests);
/// 3. the gzip/deflate response compressor, driven by the request's `Accept-Encoding`;
/// 4. (later) basic authentication, answering 401 before a request reaches the metrics;
/// 5. ``MetricsHTTPHandler``, which routes, collects and writes the response.
enum HTTPConnectionPipeline {
    static func configure(_ channel: any Channel, responder: ScrapeResponder) throws {
        let pipeline = channel.pipeline.syncOperations
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
        try pipeline.addHandler(
            HTTPResponseCompressor(responseCompressionPredicate: { head, _ in
                guard head.headers.contains(name: MetricsHTTPHandler.identityMarker) else {
                    return .compressIfPossible
                }
                head.headers.remove(name: MetricsHTTPHandler.identityMarker)
                return .doNotCompress
            }))
        try pipeline.addHandler(MetricsHTTPHandler(responder: responder))
    }
}
