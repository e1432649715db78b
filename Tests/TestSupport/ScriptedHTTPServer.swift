import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 server for tests, on 127.0.0.1 or a Unix socket, for what a real
/// server cannot be made to show or do on demand: it records every request (method,
/// target, headers, whole body, connection, arrival) and answers each from a script,
/// including faults: scripted statuses and `Retry-After`, slow answers, hangs, dropped
/// connections. Stopped by `stop()` or when dropped.
public final class ScriptedHTTPServer: Sendable {
    /// Decides the action for a request from its index (0 for the first the server
    /// received) and its content. Runs on one of the server's threads.
    public typealias Script = @Sendable (_ index: Int, _ request: ScriptedHTTPRequest) -> ScriptedHTTPAction

    private let ledger: ScriptedHTTPLedger
    private let channel: any Channel
    private let boundPort: Int?
    private let boundSocketPath: String?
    private let socketDirectory: String?

    /// Starts listening at once: on a free port of 127.0.0.1, or, given `unixSocketNamed`,
    /// on a socket of that name in a fresh temporary directory.
    public init(unixSocketNamed socketName: String? = nil, script: @escaping Script) throws {
        let ledger = ScriptedHTTPLedger(script: script)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(ScriptedHTTPHandler(ledger: ledger))
                }
            }
        self.ledger = ledger
        if let socketName {
            // Short: sockaddr_un holds 108 bytes of path.
            let directory = "/tmp/scripted-http-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            socketDirectory = directory
            boundSocketPath = directory + "/" + socketName
            boundPort = nil
            channel = try bootstrap.bind(unixDomainSocketPath: directory + "/" + socketName).wait()
        } else {
            socketDirectory = nil
            boundSocketPath = nil
            channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
            boundPort = channel.localAddress?.port
        }
    }

    /// A server answering request `i` with `actions[i]`, the last action repeating.
    public convenience init(_ actions: [ScriptedHTTPAction]) throws {
        try self.init { index, _ in actions[min(index, actions.count - 1)] }
    }

    deinit { stop() }

    /// The TCP port on 127.0.0.1 (a server on a Unix socket has none).
    public var port: Int {
        guard let boundPort else { preconditionFailure("this server listens on a Unix socket, not a port") }
        return boundPort
    }

    /// The path of the Unix socket (a server on 127.0.0.1 has none).
    public var socketPath: String {
        guard let boundSocketPath else { preconditionFailure("this server listens on 127.0.0.1, not a Unix socket") }
        return boundSocketPath
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// `baseURL` followed by `path`.
    public func url(_ path: String) -> String { baseURL + path }

    /// Every request so far, in arrival order.
    public var requests: [ScriptedHTTPRequest] { ledger.requests }

    /// The most requests the server had received and not yet finished at the same time.
    public var mostConcurrentRequests: Int { ledger.mostInFlight }

    /// Stops listening and closes every connection, a hanging one too; removes the Unix
    /// socket. Idempotent.
    public func stop() {
        guard let open = ledger.stop() else { return }
        for connection in open { connection.close(promise: nil) }
        if MultiThreadedEventLoopGroup.currentEventLoop == nil {
            try? channel.close().wait()
        } else {
            channel.close(promise: nil)
        }
        if let socketDirectory { try? FileManager.default.removeItem(atPath: socketDirectory) }
    }
}
