/// The one retry loop of the senders, shaped like Prometheus' remote-write queue: each
/// attempt either ends the loop (with a value, or with a failure retrying cannot fix)
/// or asks for another, which follows after the policy's backoff (doubling to a cap,
/// jittered, the server's `Retry-After` honoured) or after a wait the attempt names.
/// The policy's `maxAttempts` bounds the attempts (`.retriesExhausted` after the last).
///
/// Waits go through `clock`, so tests of retrying need not wait on the wall clock.
public struct RetryLoop: Sendable {
    /// What one attempt came to.
    public enum Step<Value> {
        /// Done: the loop returns `Value`.
        case done(Value)
        /// Try again, after `after` when given, else after the policy's delay for the
        /// number of failures so far, which the server's `retryAfter` (the one in
        /// ``RetryDecision/retry(_:retryAfter:)``) replaces.
        case retry(HTTPTransportError, retryAfter: Duration? = nil, after: Duration? = nil)
        /// Give up: the loop throws the error.
        case fail(HTTPTransportError)
    }

    public let policy: RetryPolicy
    public let clock: any Clock<Duration>

    /// The loop waits on `clock`: the system's continuous clock unless a test gives one.
    public init(policy: RetryPolicy, clock: any Clock<Duration> = ContinuousClock()) {
        self.policy = policy
        self.clock = clock
    }

    /// Runs `attempt` (given the attempt's number, from 1) until it is done or fails,
    /// the policy allows no further attempt, or the task is cancelled during a wait
    /// (`.cancelled(url: cancelledURL)`). `onRetry` hears about each retry before its
    /// wait.
    public func run<Value>(
        cancelledURL: String, onRetry: ((RetryAttempt) -> Void)? = nil,
        _ attempt: (_ number: Int) async -> Step<Value>
    ) async throws(HTTPTransportError) -> Value {
        var number = 0
        while true {
            number += 1
            switch await attempt(number) {
            case .done(let value):
                return value
            case .fail(let error):
                throw error
            case .retry(let error, let retryAfter, let after):
                guard policy.allowsAttempt(after: number) else {
                    throw .retriesExhausted(attempts: number, last: error)
                }
                let delay = after ?? policy.delay(afterFailures: number, retryAfter: retryAfter)
                onRetry?(RetryAttempt(failedAttempt: number, error: error, delay: delay))
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    throw .cancelled(url: cancelledURL)
                }
            }
        }
    }

    /// Sends `request` over `transport` until the policy's decision is success or a
    /// permanent failure (see ``RequestTransport/send(_:retryPolicy:onRetry:)``).
    public func send(
        _ request: HTTPRequest, over transport: some RequestTransport,
        onRetry: (@Sendable (RetryAttempt) -> Void)? = nil
    ) async throws(HTTPTransportError) -> HTTPResponse {
        try await run(cancelledURL: URLRedaction.redact(request.url), onRetry: onRetry) { _ in
            let outcome: Result<HTTPResponse, HTTPTransportError>
            do throws(HTTPTransportError) {
                outcome = .success(try await transport.perform(request))
            } catch {
                outcome = .failure(error)
            }
            switch policy.decide(outcome) {
            case .success(let response): return .done(response)
            case .permanent(let error): return .fail(error)
            case .retry(let error, let retryAfter): return .retry(error, retryAfter: retryAfter)
            }
        }
    }
}
