import Foundation
import NIOCore
import NIOHTTP1

/// The last handler of a `ScriptedHTTPServer` connection: gathers each request, records
/// it, and carries out the script's action for it.
final class ScriptedHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart

    private let ledger: ScriptedHTTPLedger
    private var connection = 0
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(ledger: ScriptedHTTPLedger) {
        self.ledger = ledger
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let number = ledger.opened(context.channel) else {
            context.close(promise: nil)
            return
        }
        connection = number
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ledger.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let received):
            head = received
            body = []
        case .body(var chunk):
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
        case .end:
            guard let head else { return }
            self.head = nil
            let request = ScriptedHTTPRequest(
                method: head.method.rawValue, target: head.uri,
                headers: ScriptedHTTPHeaders(head.headers.map { (name: $0.name, value: $0.value) }), body: body,
                connection: connection, arrival: Date())
            let index = ledger.received(request)
            Self.perform(
                ledger.script(index, request), on: context.channel, ledger: ledger,
                sendsBody: head.method != .HEAD, keepAlive: head.isKeepAlive)
        }
    }

    private static func perform(
        _ action: ScriptedHTTPAction, on channel: any Channel, ledger: ScriptedHTTPLedger, sendsBody: Bool,
        keepAlive: Bool
    ) {
        switch action {
        case .respond(let status, let scripted, let body):
            var headers = HTTPHeaders(scripted.fields.map { ($0.name, $0.value) })
            headers.replaceOrAdd(name: "Content-Length", value: "\(body.count)")
            if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
            let head = HTTPResponseHead(
                version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            if sendsBody && !body.isEmpty {
                channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
            }
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                ledger.answered()
                if !keepAlive { channel.close(promise: nil) }
            }
        case .close:
            ledger.answered()
            channel.close(promise: nil)
        case .after(let seconds, let next):
            channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(seconds * 1e9))) {
                perform(next, on: channel, ledger: ledger, sendsBody: sendsBody, keepAlive: keepAlive)
            }
        }
    }
}
