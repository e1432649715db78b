import Exposition
import Foundation
import HTTPTransport
import Logging
import Synchronization
import TimeUnits

/// Sends metric families to a Prometheus Pushgateway.
///
/// `push` (PUT) replaces every metric of the group, `add` (POST) replaces only the
/// families pushed, `delete` (DELETE) removes the group. Before anything is sent the
/// grouping key is validated and every sample is checked for a `job` or grouping
/// label; timestamps are removed (the gateway refuses them) and counted in the
/// result. Network errors, timeouts and 5xx answers are retried with backoff; a 4xx is
/// not, and its body (the gateway's reason) is carried in `rejected`.
public final class PushGatewayClient: Sendable {
    /// The gateway's base URL without a trailing slash (may include a path prefix).
    public let baseURL: String
    public let options: PushOptions
    private let transport: any RequestTransport
    private let logger: Logger

    /// `baseURL` is the gateway's address, such as `http://pushgateway:9091`, possibly
    /// with a path prefix when it runs behind a reverse proxy.
    public init(
        baseURL: String, transport: any RequestTransport, options: PushOptions = PushOptions(), logger: Logger
    )
        throws(PushGatewayError)
    {
        let lowered = baseURL.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw .configuration(
                "the Pushgateway URL \(URLRedaction.redact(baseURL)) is not an http:// or https:// URL")
        }
        self.baseURL = Self.trimmed(baseURL)
        self.options = options
        self.transport = transport
        self.logger = logger
    }

    /// PUT: the group's metrics become exactly `families`.
    @discardableResult
    public func push(_ families: [MetricFamily], to group: GroupingKey) async throws(PushGatewayError) -> PushResult {
        try await send(.put, families, group)
    }

    /// POST: the families pushed replace those of the same name in the group; others stay.
    @discardableResult
    public func add(_ families: [MetricFamily], to group: GroupingKey) async throws(PushGatewayError) -> PushResult {
        try await send(.post, families, group)
    }

    /// DELETE: removes the group and all its metrics.
    @discardableResult
    public func delete(_ group: GroupingKey) async throws(PushGatewayError) -> PushResult {
        try await send(.delete, nil, group)
    }

    /// The full URL of `group` on this gateway.
    public func url(of group: GroupingKey) -> String {
        baseURL + group.path
    }

    /// The full URL of `group` on the gateway at `baseURL`, as a client for it sends to.
    public static func url(of group: GroupingKey, baseURL: String) -> String {
        trimmed(baseURL) + group.path
    }

    private static func trimmed(_ baseURL: String) -> String {
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }

    private func send(_ method: HTTPMethod, _ families: [MetricFamily]?, _ group: GroupingKey)
        async throws(PushGatewayError) -> PushResult
    {
        try group.validate()
        let url = url(of: group)
        let shownURL = URLRedaction.redact(url)
        var request = HTTPRequest(method: method, url: url, timeout: options.timeout)
        var payload: PushPayload? = nil
        if let families {
            let rendered = try PushPayload(families, group: group)
            payload = rendered
            request.body = rendered.text
            request.headers.replaceOrAdd(name: "Content-Type", value: ExpositionFormat.prometheus.contentType)
            if options.gzip {
                do {
                    request = try request.gzipped()
                } catch {
                    throw .configuration("cannot gzip the push body: \(error)")
                }
            }
        }

        let retries = RetryCounter()
        let response: HTTPResponse
        let logger = logger
        do {
            response = try await transport.send(request, retryPolicy: options.retryPolicy) { retry in
                retries.increment()
                logger.info(
                    "Pushgateway request failed, retrying",
                    metadata: [
                        "pushgateway.method": "\(method.rawValue)", "pushgateway.url": "\(shownURL)",
                        "pushgateway.attempt": "\(retry.failedAttempt)",
                        "pushgateway.retry_delay_ms": "\(retry.delay.milliseconds)", "error": "\(retry.error)",
                    ])
            }
        } catch {
            throw Self.translate(error, url: shownURL, attempts: retries.count + 1)
        }
        let result = PushResult(
            status: response.status, attempts: retries.count + 1, strippedTimestamps: payload?.strippedTimestamps ?? 0,
            bodyBytes: payload?.text.count ?? 0, sentBytes: request.body?.count ?? 0, url: shownURL)
        logger.debug(
            "Pushgateway request done",
            metadata: [
                "pushgateway.method": "\(method.rawValue)", "pushgateway.url": "\(shownURL)",
                "pushgateway.status": "\(response.status)", "pushgateway.attempts": "\(result.attempts)",
                "pushgateway.bytes": "\(result.sentBytes)",
            ])
        return result
    }

    static func translate(_ error: HTTPTransportError, url: String, attempts: Int) -> PushGatewayError {
        switch error {
        case .status(let failure):
            return .rejected(
                status: failure.status, reason: failure.body.trimmingCharacters(in: .whitespacesAndNewlines), url: url)
        case .retriesExhausted(let attempts, let last):
            return .unreachable(url: url, attempts: attempts, lastError: last)
        case .network, .timeout:
            return .unreachable(url: url, attempts: attempts, lastError: error)
        case .configuration(let message):
            return .configuration(message)
        case .cancelled:
            return .cancelled(url: url)
        }
    }
}

/// Counts the retries `RequestTransport.send` reports, so the result can say how many
/// attempts a push took.
final class RetryCounter: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .relaxed) }

    func increment() {
        value.add(1, ordering: .relaxed)
    }
}
