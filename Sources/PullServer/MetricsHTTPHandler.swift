import NIOCore
import NIOHTTP1

/// The last handler of a connection's pipeline: hands each request to the
/// ``ScrapeResponder`` in a task and writes the response it returns.
///
/// The pipeline in front of it (``HTTPConnectionPipeline``) guarantees one request at a
/// time, so there is at most one task per connection. When the connection closes while
/// the task waits for a collection, the task is cancelled and nothing is written.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// A response header that tells the response compressor to leave the body alone; it
    /// is removed before the head is written.
    static let identityMarker = "x-ipvs-push-identity"

    private let responder: ScrapeResponder
    private var requestHead: HTTPRequestHead?
    private var running: Task<Void, Never>?

    init(responder: ScrapeResponder) {
        self.responder = responder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestHead = head
        case .body:
            break
        case .end:
            guard let head = requestHead else { return }
            requestHead = nil
            respond(to: head, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        running?.cancel()
        running = nil
        context.fireChannelInactive()
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let request = HTTPRequestSummary(head)
        let responder = self.responder
        let promise = context.eventLoop.makePromise(of: HTTPResponseSummary?.self)
        running = Task {
            promise.succeed(await responder.respond(to: request))
        }
        promise.futureResult.assumeIsolated().whenSuccess { response in
            self.running = nil
            guard let response, context.channel.isActive else { return }
            self.write(response, for: head, context: context)
        }
    }

    private func write(_ response: HTTPResponseSummary, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        let isHead = request.method == .HEAD
        // A streamed body has no length: chunked for HTTP/1.1, ended by closing for HTTP/1.0.
        let stream = isHead ? nil : response.stream
        let keepAlive = request.isKeepAlive && (stream == nil || request.version != HTTPVersion(major: 1, minor: 0))
        var headers = response.headers
        if stream == nil { headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count)) }
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if request.version.major == 1 && request.version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        if isHead || !response.compressible {
            headers.add(name: Self.identityMarker, value: "1")
        }
        let version = HTTPVersion(major: 1, minor: request.version.minor == 0 ? 0 : 1)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))),
            promise: nil)
        if let stream {
            stream.write(to: context.channel, closing: !keepAlive)
            return
        }
        if !isHead && !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
