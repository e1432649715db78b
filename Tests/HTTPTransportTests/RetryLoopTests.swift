import HTTPTransport
import TestSupport
import Testing

/// The retry loop's waits, on a ``TestClock``: the server's `Retry-After` replaces the
/// backoff (as Prometheus' remote-write queue does), up to the policy's `maxRetryAfter`.
@Suite struct RetryLoopTests {
    static let request = HTTPRequest(method: .post, url: "http://receiver.invalid/write")
    static let policy = RetryPolicy(
        minBackoff: .milliseconds(30), maxBackoff: .seconds(5), jitter: 0, maxRetryAfter: .seconds(60))

    /// The waits of one send of ``request`` over a transport answering `script`.
    static func sleeps(_ script: [ScriptedTransport.Answer]) async throws -> [Duration] {
        let clock = TestClock()
        let response = try await RetryLoop(policy: policy, clock: clock).send(request, over: ScriptedTransport(script))
        #expect(response.status == 204)
        return clock.sleeps
    }

    @Test func aRetryAfterLongerThanTheBackoffDelaysTheNextAttempt() async throws {
        let sleeps = try await Self.sleeps([.status(503, headers: [("Retry-After", "7")]), .status(503), .status(204)])
        // The second failure has no Retry-After: the backoff for two failures.
        #expect(sleeps == [.seconds(7), .milliseconds(60)])
    }

    @Test func aRetryAfterBeyondItsCapWaitsTheCap() async throws {
        let sleeps = try await Self.sleeps([.status(503, headers: [("Retry-After", "3600")]), .status(204)])
        #expect(sleeps == [.seconds(60)])
    }
}
