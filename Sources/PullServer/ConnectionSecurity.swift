import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The running server's ``WebSecurity``, shared by all its connections and replaceable by
/// ``MetricsServer/reload(security:)``: TLS for connections accepted from then on, the
/// users, headers and rate limit for requests read from then on (exporter-toolkit reads
/// its file again for every request; this takes what the last reload gave).
final class ConnectionSecurity: Sendable {
    /// What applies to one request.
    struct RequestPolicy: Sendable {
        var verifier: BasicAuthVerifier?
        /// The configured response headers with a value, sorted by name.
        var headers: [(name: String, value: String)]
        var limiter: RequestRateLimiter?
    }

    let tls: TLSContextProvider?
    private let policy: NIOLockedValueBox<RequestPolicy>
    let logger: Logger

    /// Loads the TLS material (throwing when it is unusable) and sets up the request checks.
    init(_ security: WebSecurity, logger: Logger) throws(MetricsServerError) {
        self.logger = logger
        tls = try security.tls.map { settings throws(MetricsServerError) in
            try TLSContextProvider(settings: settings, logger: logger)
        }
        policy = NIOLockedValueBox(Self.policy(for: security, replacing: nil))
    }

    /// The policy for the request whose head was just read.
    var requestPolicy: RequestPolicy { policy.withLockedValue { $0 } }

    /// Applies reloaded settings. TLS cannot be turned on or off on a listening socket.
    func update(_ security: WebSecurity) throws(MetricsServerError) {
        switch (tls, security.tls) {
        case (nil, nil):
            break
        case (let provider?, let settings?):
            try provider.replace(with: settings)
        case (nil, _?):
            throw .tlsSwitchNeedsRestart(enabling: true)
        case (_?, nil):
            throw .tlsSwitchNeedsRestart(enabling: false)
        }
        policy.withLockedValue { $0 = Self.policy(for: security, replacing: $0) }
    }

    /// The request policy for `security`, keeping the verifier (and the credentials it has
    /// verified) and the rate limiter (and its tokens) when their settings did not change.
    private static func policy(for security: WebSecurity, replacing old: RequestPolicy?) -> RequestPolicy {
        let verifier: BasicAuthVerifier? =
            if security.basicAuthUsers.isEmpty {
                nil
            } else if let old = old?.verifier, old.users == security.basicAuthUsers {
                old
            } else {
                BasicAuthVerifier(users: security.basicAuthUsers)
            }
        let limiter: RequestRateLimiter? =
            if let limit = security.rateLimit {
                if let old = old?.limiter, old.limit == limit { old } else { RequestRateLimiter(limit) }
            } else {
                nil
            }
        let headers = security.responseHeaders.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { (name: $0.key, value: $0.value) }
        return RequestPolicy(verifier: verifier, headers: headers, limiter: limiter)
    }

    /// Adds the TLS handlers to a new connection's pipeline, when TLS is on.
    func addTLSHandlers(to pipeline: ChannelPipeline.SynchronousOperations) throws {
        guard let tls else { return }
        let (context, settings) = tls.current()
        let handler: NIOSSLServerHandler
        switch settings.clientCertificatePolicy {
        case .requestClientCert, .requireAnyClientCert:
            // Asked for (and for RequireAnyClientCert required) but taken as it is, as Go does.
            handler = NIOSSLServerHandler(
                context: context,
                customVerificationCallback: { _, promise in
                    promise.succeed(.certificateVerified)
                })
        case .noClientCert, .verifyClientCertIfGiven, .requireAndVerifyClientCert:
            handler = NIOSSLServerHandler(context: context)
        }
        try pipeline.addHandler(handler)
        if !settings.clientAllowedSANs.isEmpty {
            try pipeline.addHandler(
                ClientSANCheckHandler(allowed: settings.clientAllowedSANs, tlsHandler: handler, logger: logger))
        }
        try pipeline.addHandler(TLSErrorLogger(logger: logger))
    }
}
