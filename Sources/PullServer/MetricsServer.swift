import Logging
import NIOCore
import NIOPosix

/// The `/metrics` pull endpoint: an HTTP/1.1 server that collects from a
/// ``MetricsSource`` on every scrape and answers in the format the scraper asked for.
///
/// - The telemetry path (``MetricsServerConfiguration/telemetryPath``) answers GET and
///   HEAD with OpenMetrics 1.0 when the `Accept` header asks for it and Prometheus text
///   0.0.4 otherwise, gzip- or deflate-compressed when `Accept-Encoding` allows it.
/// - Concurrent scrapes share one collection; a scrape that arrives after it finished
///   starts a new one.
/// - A scrape waits for the collection at most its timeout (from
///   `X-Prometheus-Scrape-Timeout-Seconds`, see
///   ``MetricsServerConfiguration/scrapeTimeout(prometheusHeader:)``) and gets 503 after it.
/// - `/` is a small HTML page linking the telemetry path; other paths are 404, other
///   methods 405.
/// - The server's own counters are described on ``MetricsServerConfiguration/exposesSelfMetrics``.
/// - ``MetricsServerConfiguration/security`` adds TLS, basic authentication, response
///   headers and a rate limit (exporter-toolkit's web configuration); ``reload(security:)``
///   replaces them while the server runs. Certificate files are watched on their own: a
///   changed file is loaded again for the next connection.
///
/// Use ``start()`` then ``shutdown()``, or ``run()`` inside a task that is cancelled to stop.
public actor MetricsServer {
    private enum State {
        case idle
        case starting
        case running(listener: any Channel, port: Int)
        case stopping(drained: EventLoopFuture<Void>)
        case stopped
    }

    /// The configuration the server was created with.
    public nonisolated let configuration: MetricsServerConfiguration
    private let responder: ScrapeResponder
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private var state = State.idle
    private var security: WebSecurity
    private var connectionSecurity: ConnectionSecurity?
    private var stopWaiters: [CheckedContinuation<Void, Never>] = []

    /// Creates a server that is not listening yet.
    ///
    /// - Parameters:
    ///   - source: collected once per scrape (once for all concurrent scrapes).
    ///   - logger: start, stop and timed-out scrapes at info level, each scrape at debug;
    ///     a logger of its own by default.
    ///   - eventLoopGroup: the loops the connections run on; the shared singleton by default.
    public init(
        configuration: MetricsServerConfiguration,
        source: any MetricsSource,
        logger: Logger = Logger(label: "ipvs-push.pull-server"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.security = configuration.security
        self.responder = ScrapeResponder(configuration: configuration, source: source, logger: logger)
    }

    /// The TCP port the server listens on, once started.
    public var port: Int? {
        if case .running(_, let port) = state { return port }
        return nil
    }

    /// Binds the listen address and starts serving in the background.
    ///
    /// - Returns: the port bound, which is the kernel's choice when the address asked for port 0.
    /// - Throws: ``MetricsServerError`` when the configuration is invalid (TLS material
    ///   included: certificate and key files are read here), the address cannot be bound,
    ///   or the server was started before.
    @discardableResult
    public func start() async throws -> Int {
        guard case .idle = state else { throw MetricsServerError.alreadyStarted }
        guard configuration.telemetryPath.hasPrefix("/") else {
            throw MetricsServerError.invalidTelemetryPath(configuration.telemetryPath)
        }
        let address = try ListenAddress(parsing: configuration.listenAddress)
        let connectionSecurity = try ConnectionSecurity(security, logger: logger)
        self.connectionSecurity = connectionSecurity
        state = .starting
        let listener: any Channel
        do {
            listener = try await bind(address, security: connectionSecurity)
        } catch {
            if case .starting = state { state = .idle }
            throw error
        }
        let port = listener.localAddress?.port ?? address.port
        guard case .starting = state else {
            // shutdown() was called while binding.
            try? await listener.close()
            throw MetricsServerError.alreadyStarted
        }
        state = .running(listener: listener, port: port)
        logger.info(
            "serving metrics",
            metadata: [
                "listen.address": "\(listener.localAddress.map { "\($0)" } ?? address.description)",
                "telemetry.path": "\(configuration.telemetryPath)",
                "tls": "\(security.tls != nil)",
                "basic_auth.users": "\(security.basicAuthUsers.count)",
            ])
        return port
    }

    /// Replaces TLS settings, basic authentication users, response headers and rate limit,
    /// as after re-reading the web configuration file (on SIGHUP, say).
    ///
    /// New TLS settings apply to connections accepted afterwards (open connections keep
    /// theirs); the rest applies to requests read afterwards. Unchanged users keep their
    /// verified credentials, an unchanged rate limit its tokens. Before ``start()``, the
    /// settings are only remembered.
    ///
    /// - Throws: ``MetricsServerError`` when the new TLS material cannot be used, or when
    ///   it turns TLS on or off on a running server; the old settings then stay in force.
    public func reload(security newSecurity: WebSecurity) throws {
        if let connectionSecurity {
            try connectionSecurity.update(newSecurity)
        }
        security = newSecurity
        logger.info(
            "web security settings reloaded",
            metadata: ["tls": "\(newSecurity.tls != nil)", "basic_auth.users": "\(newSecurity.basicAuthUsers.count)"])
    }

    /// Stops accepting connections, lets scrapes in progress finish for at most
    /// ``MetricsServerConfiguration/shutdownGracePeriod``, then closes every connection.
    /// Idle keep-alive connections close at once. Calling it again waits for the same shutdown.
    ///
    /// A collection still running in the source is not interrupted; its result is dropped.
    public func shutdown() async {
        switch state {
        case .idle, .starting:
            state = .stopped
            resumeStopWaiters()
        case .running(let listener, _):
            let gracePeriod = TimeAmount(configuration.shutdownGracePeriod)
            let drained = listener.eventLoop.flatSubmit {
                guard let tracker = try? listener.pipeline.syncOperations.handler(type: ConnectionTracker.self)
                else {
                    return listener.close().recover { _ in }
                }
                return tracker.drain(listener: listener, gracePeriod: gracePeriod)
            }
            state = .stopping(drained: drained)
            try? await drained.get()
            state = .stopped
            logger.info("stopped serving metrics")
            resumeStopWaiters()
        case .stopping(let drained):
            try? await drained.get()
        case .stopped:
            break
        }
    }

    /// Starts the server if it is not started yet and returns when it has been shut
    /// down. Cancelling the calling task shuts the server down gracefully.
    public func run() async throws {
        if case .idle = state { try await start() }
        await withTaskCancellationHandler {
            await waitUntilStopped()
        } onCancel: {
            Task { await self.shutdown() }
        }
    }

    private func waitUntilStopped() async {
        if case .stopped = state { return }
        await withCheckedContinuation { stopWaiters.append($0) }
    }

    private func resumeStopWaiters() {
        let waiters = stopWaiters
        stopWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    private func bind(_ address: ListenAddress, security: ConnectionSecurity) async throws -> any Channel {
        let responder = self.responder
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ConnectionTracker())
                }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try HTTPConnectionPipeline.configure(channel, responder: responder, security: security)
                }
            }
        func failure(_ error: any Error) -> MetricsServerError {
            .bindFailed(address: address.description, reason: "\(error)")
        }
        if let host = address.host {
            do {
                return try await bootstrap.bind(host: host, port: address.port).get()
            } catch {
                throw failure(error)
            }
        }
        // Every interface: the IPv6 wildcard accepts IPv4 too (Linux's default
        // bindv6only=0), as Go's ":port" does; hosts without IPv6 get the IPv4 wildcard.
        do {
            return try await bootstrap.bind(to: SocketAddress(ipAddress: "::", port: address.port)).get()
        } catch let error as IOError where error.errnoCode == EAFNOSUPPORT || error.errnoCode == EADDRNOTAVAIL {
            logger.debug("IPv6 is not available, listening on IPv4 only", metadata: ["error": "\(error)"])
        } catch {
            throw failure(error)
        }
        do {
            return try await bootstrap.bind(to: SocketAddress(ipAddress: "0.0.0.0", port: address.port)).get()
        } catch {
            throw failure(error)
        }
    }
}
