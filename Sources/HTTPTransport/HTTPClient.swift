import Dispatch
import Logging
import NIOConcurrencyHelpers
import TimeUnits

/// An HTTP client over libcurl, shared by the Pushgateway and remote-write senders:
/// the ``RequestTransport`` they retry through ``RetryLoop``.
///
/// libcurl transfers block, so they run on dedicated threads (a serial dispatch queue
/// per libcurl handle), never on the Swift concurrency pool; the `async` methods
/// suspend until the transfer ends.
/// Handles (and with them open connections) are pooled and reused across requests.
/// Many requests may run at once. Cancelling the calling task aborts its transfer.
public final class HTTPClient: RequestTransport {
    public let configuration: TransportConfiguration
    private let logger: Logger
    private let pool: CurlHandlePool

    /// Checks the configuration now, so a wrong path fails at start-up and not at the
    /// first push: the TLS files must be readable, the credential files readable and
    /// not empty.
    public init(configuration: TransportConfiguration = TransportConfiguration(), logger: Logger)
        throws(HTTPTransportError)
    {
        try CurlGlobal.ensureInitialized()
        let tls = configuration.tls
        if let caFile = tls.caFile { try SecretFile.checkReadable(caFile, purpose: "TLS CA") }
        if let certificate = tls.certificateFile {
            try SecretFile.checkReadable(certificate, purpose: "TLS client certificate")
            guard tls.keyFile != nil else {
                throw .configuration("a TLS client certificate (\(certificate)) needs its key file as well")
            }
        }
        if let key = tls.keyFile {
            try SecretFile.checkReadable(key, purpose: "TLS client key")
            guard tls.certificateFile != nil else {
                throw .configuration("a TLS client key (\(key)) needs its certificate file as well")
            }
        }
        switch configuration.authentication {
        case .none: break
        case .basic(_, let secret): _ = try secret.reveal(purpose: "basic auth password")
        case .authorization(let type, let secret):
            _ = try secret.reveal(purpose: type == "Bearer" ? "bearer token" : "\(type) credentials")
        }
        self.configuration = configuration
        self.logger = logger
        self.pool = CurlHandlePool(maxIdle: configuration.maxIdleHandles)
    }

    /// Sends `request` once and returns the server's answer, whatever its status.
    /// Throws only when there is no answer: network failure, timeout, cancellation,
    /// a configuration problem.
    public func execute(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        try await exchange(request).get().response
    }

    /// Sends `request` once: the answer when it is 2xx, `.status` (its body scrubbed of
    /// the request's secrets) for any other (see ``RequestTransport``).
    public func perform(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        let exchange = try await exchange(request).get()
        if let failure = exchange.failure { throw .status(failure) }
        return exchange.response
    }

    /// A response and, for a non-2xx one, its failure with the body prefix scrubbed
    /// of the request's secrets (done where the secrets are known).
    struct Exchange: Sendable {
        var response: HTTPResponse
        var failure: HTTPStatusFailure?
    }

    private func exchange(_ request: HTTPRequest) async -> Result<Exchange, HTTPTransportError> {
        let cancellation = CancellationFlag()
        let configuration = configuration
        let pool = pool
        let logger = logger
        let handle: CurlEasyHandle
        do {
            handle = try pool.acquire()
        } catch {
            return .failure(error)
        }
        let transfer = Transfer(handle: handle)
        // The result is handed over under a lock and the continuation only wakes the caller:
        // ThreadSanitizer does not see a continuation resumed on a dispatch queue as
        // synchronization, and reported the hand-over (an error built on the transfer thread,
        // read by the caller) as a race.
        let outcome = NIOLockedValueBox<Result<Exchange, HTTPTransportError>?>(nil)
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                transfer.handle.queue.async {
                    let result = Self.run(
                        request, on: transfer.handle, configuration: configuration, cancellation: cancellation,
                        logger: logger)
                    pool.release(transfer.handle)
                    outcome.withLockedValue { $0 = result }
                    continuation.resume()
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
        // Set on the transfer queue before the continuation is resumed.
        return outcome.withLockedValue { $0! }
    }

    /// Carries a handle to its queue; only that queue's thread uses it meanwhile.
    private struct Transfer: @unchecked Sendable {
        let handle: CurlEasyHandle
    }

    /// Runs on the transfer queue: prepares, performs, logs.
    private static func run(
        _ request: HTTPRequest, on handle: CurlEasyHandle, configuration: TransportConfiguration,
        cancellation: CancellationFlag, logger: Logger
    ) -> Result<Exchange, HTTPTransportError> {
        let prepared: PreparedRequest
        do {
            prepared = try PreparedRequest(request, configuration: configuration)
        } catch {
            return .failure(error)
        }
        if cancellation.isCancelled { return .failure(.cancelled(url: prepared.redactedURL)) }
        let result = handle.perform(prepared, cancellation: cancellation)
        switch result {
        case .success(let response):
            logger.debug(
                "HTTP request done",
                metadata: [
                    "http.method": "\(request.method.rawValue)", "http.url": "\(prepared.redactedURL)",
                    "http.status": "\(response.status)", "http.duration_ms": "\(response.timing.total.milliseconds)",
                    "http.request_bytes": "\(request.body?.count ?? 0)",
                ])
            let failure =
                response.isSuccess
                ? nil
                : HTTPStatusFailure(
                    response: response, method: request.method, url: prepared.redactedURL, redactor: prepared.redactor)
            return .success(Exchange(response: response, failure: failure))
        case .failure(let error):
            logger.debug(
                "HTTP request failed",
                metadata: [
                    "http.method": "\(request.method.rawValue)", "http.url": "\(prepared.redactedURL)",
                    "error": "\(error)",
                ])
            return .failure(error)
        }
    }
}
