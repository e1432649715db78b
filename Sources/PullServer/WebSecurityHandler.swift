import Logging
import NIOCore
import NIOHTTP1

/// Applies the request side of ``WebSecurity`` to each request before it reaches
/// ``MetricsHTTPHandler``, and adds the configured headers to each response:
///
/// 1. the rate limit: no token, 429 Too Many Requests;
/// 2. basic authentication, for every path: no or wrong credentials, 401 with
///    `WWW-Authenticate: Basic` and the same body whether the user exists or not. The
///    request's parts are held back while bcrypt runs off the event loop and passed on only
///    when the credentials are good.
///
/// Refusals are answered once the whole request is read, keeping the connection open
/// when the client wants it kept open. They are logged at debug level with the user
/// name and the reason; the password is never logged.
final class WebSecurityHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Refusal {
        case unauthorized
        case tooManyRequests
    }

    private enum State {
        /// Between requests.
        case idle
        /// The request was admitted; its remaining parts pass through.
        case admitted
        /// The credentials are being checked; the parts read so far wait here.
        case checking(head: HTTPRequestHead, held: [HTTPServerRequestPart], ended: Bool)
        /// The request is refused; the answer goes out once its end is read.
        case refusing(head: HTTPRequestHead, Refusal)
    }

    private let security: ConnectionSecurity
    private var state = State.idle
    private var responseHeaders: [(name: String, value: String)] = []

    init(security: ConnectionSecurity) {
        self.security = security
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch (part, state) {
        case (.head(let head), _):
            admit(head, context: context)
        case (.body, .checking(let head, var held, let ended)):
            held.append(part)
            state = .checking(head: head, held: held, ended: ended)
        case (.end, .checking(let head, var held, _)):
            held.append(part)
            state = .checking(head: head, held: held, ended: true)
        case (.body, .refusing):
            break
        case (.end, .refusing(let head, let refusal)):
            state = .idle
            refuse(head, refusal, context: context)
        case (.end, _):
            state = .idle
            context.fireChannelRead(data)
        case (.body, _):
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), !responseHeaders.isEmpty else {
            context.write(data, promise: promise)
            return
        }
        for header in responseHeaders { head.headers.replaceOrAdd(name: header.name, value: header.value) }
        context.write(wrapOutboundOut(.head(head)), promise: promise)
    }

    private func admit(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let policy = security.requestPolicy
        responseHeaders = policy.headers
        if let limiter = policy.limiter, !limiter.allow() {
            security.logger.debug(
                "request refused by the rate limit",
                metadata: ["client.address": "\(Self.address(context))", "http.path": "\(Self.path(head))"])
            state = .refusing(head: head, .tooManyRequests)
            return
        }
        guard let verifier = policy.verifier else {
            state = .admitted
            context.fireChannelRead(wrapInboundOut(.head(head)))
            return
        }
        state = .checking(head: head, held: [.head(head)], ended: false)
        let authorization = head.headers.first(name: "authorization")
        let promise = context.eventLoop.makePromise(of: BasicAuthVerifier.Outcome.self)
        promise.completeWithTask { await verifier.verify(authorization: authorization) }
        promise.futureResult.assumeIsolated().whenSuccess { outcome in
            self.checked(outcome, context: context)
        }
    }

    private func checked(_ outcome: BasicAuthVerifier.Outcome, context: ChannelHandlerContext) {
        guard case .checking(let head, let held, let ended) = state, context.channel.isActive else { return }
        if case .granted = outcome {
            state = ended ? .idle : .admitted
            for part in held { context.fireChannelRead(wrapInboundOut(part)) }
            context.fireChannelReadComplete()
            return
        }
        let reason: String
        var user: String?
        switch outcome {
        case .granted: return
        case .noCredentials: reason = "no credentials"
        case .malformedCredentials: reason = "malformed Authorization header"
        case .rejected(let name, let knownUser):
            user = name
            reason = knownUser ? "wrong password" : "unknown user"
        }
        var metadata: Logger.Metadata = [
            "client.address": "\(Self.address(context))", "http.path": "\(Self.path(head))", "auth.reason": "\(reason)",
        ]
        if let user { metadata["auth.user"] = "\(user)" }
        security.logger.debug("basic authentication failed", metadata: metadata)
        if ended {
            state = .idle
            refuse(head, .unauthorized, context: context)
        } else {
            state = .refusing(head: head, .unauthorized)
        }
    }

    private func refuse(_ request: HTTPRequestHead, _ refusal: Refusal, context: ChannelHandlerContext) {
        let status: HTTPResponseStatus = refusal == .unauthorized ? .unauthorized : .tooManyRequests
        let body = Array("\(status.reasonPhrase)\n".utf8)
        var headers = HTTPHeaders([
            ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", String(body.count)),
        ])
        if refusal == .unauthorized { headers.add(name: "WWW-Authenticate", value: "Basic") }
        let keepAlive = request.isKeepAlive
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if request.version.major == 1 && request.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        for header in responseHeaders { headers.replaceOrAdd(name: header.name, value: header.value) }
        let version = HTTPVersion(major: 1, minor: request.version.minor == 0 ? 0 : 1)
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(
                wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    private static func address(_ context: ChannelHandlerContext) -> String {
        context.channel.remoteAddress.map { "\($0)" } ?? "unknown"
    }

    private static func path(_ head: HTTPRequestHead) -> String {
        String(head.uri.prefix { $0 != "?" && $0 != "#" })
    }
}
