import NIOCore
import NIOHTTP1
import NIOHTTPCompression

/// Builds the handlers of one accepted connection, in order:
///
/// 1. with TLS on (``WebSecurity/tls``): the TLS handler, the `client_allowed_sans` check
///    when there is one, and a handler that logs failed handshakes; a client speaking
///    plain HTTP fails the handshake and is disconnected;
/// 2. the HTTP/1.1 codec with pipelining assistance (one request at a time reaches the
///    handlers below) and protocol error handling (400 on malformed requests);
/// 3. the gzip/deflate response compressor, driven by the request's `Accept-Encoding`;
/// 4. ``WebSecurityHandler``: rate limit and basic authentication (429 and 401 before a
///    request reaches the metrics), and the configured response headers;
/// 5. ``MetricsHTTPHandler``, which routes, collects and writes the response.
enum HTTPConnectionPipeline {
    static func configure(_ channel: any Channel, responder: ScrapeResponder, security: ConnectionSecurity) throws {
        let pipeline = channel.pipeline.syncOperations
        try security.addTLSHandlers(to: pipeline)
        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
        try pipeline.addHandler(
            HTTPResponseCompressor(responseCompressionPredicate: { head, _ in
                guard head.headers.contains(name: MetricsHTTPHandler.identityMarker) else {
                    return .compressIfPossible
                }
                head.headers.remove(name: MetricsHTTPHandler.identityMarker)
                return .doNotCompress
            }))
        try pipeline.addHandler(WebSecurityHandler(security: security))
        try pipeline.addHandler(MetricsHTTPHandler(responder: responder))
    }
}
