import Foundation
import HTTPTransport
import Testing

@Suite struct RetryPolicyTests {
    func response(_ status: Int, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: headers, body: [], bodyBytesReceived: 0,
            timing: HTTPTiming(connect: .zero, firstByte: .zero, total: .zero))
    }

    func failure(_ status: Int, retryAfter: Duration? = nil) -> HTTPTransportError {
        .status(HTTPStatusFailure(status: status, method: .post, url: "http://x/", body: "", retryAfter: retryAfter))
    }

    func kind(_ decision: RetryDecision) -> String {
        switch decision {
        case .success: "success"
        case .retry: "retry"
        case .permanent: "permanent"
        }
    }

    @Test func classifiesOutcomes() {
        let policy = RetryPolicy()
        #expect(kind(policy.decide(.success(response(200)))) == "success")
        #expect(kind(policy.decide(.success(response(204)))) == "success")
        #expect(kind(policy.decide(.success(response(503)))) == "retry")
        #expect(kind(policy.decide(.success(response(404)))) == "permanent")
        #expect(kind(policy.decide(.failure(failure(500)))) == "retry")
        #expect(kind(policy.decide(.failure(failure(502)))) == "retry")
        #expect(kind(policy.decide(.failure(failure(400)))) == "permanent")
        #expect(kind(policy.decide(.failure(failure(415)))) == "permanent")
        #expect(kind(policy.decide(.failure(failure(429)))) == "permanent")
        #expect(kind(RetryPolicy(retryOn429: true).decide(.failure(failure(429)))) == "retry")
        #expect(kind(policy.decide(.failure(.network(curlCode: 7, message: "refused", url: "u")))) == "retry")
        #expect(kind(policy.decide(.failure(.network(curlCode: 6, message: "dns", url: "u")))) == "retry")
        #expect(kind(policy.decide(.failure(.network(curlCode: 60, message: "cert", url: "u")))) == "permanent")
        #expect(kind(policy.decide(.failure(.network(curlCode: 3, message: "url", url: "u")))) == "permanent")
        #expect(kind(policy.decide(.failure(.timeout(url: "u", limit: .seconds(1))))) == "retry")
        #expect(kind(policy.decide(.failure(.configuration("bad")))) == "permanent")
        #expect(kind(policy.decide(.failure(.cancelled(url: "u")))) == "permanent")
    }

    @Test func retryCarriesTheServersRetryAfter() {
        guard case .retry(_, let retryAfter) = RetryPolicy().decide(.failure(failure(503, retryAfter: .seconds(7))))
        else {
            Issue.record("expected retry")
            return
        }
        #expect(retryAfter == .seconds(7))
        guard
            case .retry(_, let fromHeader) = RetryPolicy().decide(
                .success(response(503, headers: ["retry-after": "4"])))
        else {
            Issue.record("expected retry")
            return
        }
        #expect(fromHeader == .seconds(4))
    }

    @Test func backoffDoublesUpToTheCap() {
        let policy = RetryPolicy(minBackoff: .milliseconds(30), maxBackoff: .seconds(5), jitter: 0)
        let delays = (1...10).map { policy.backoff(afterFailures: $0) }
        #expect(
            delays == [
                .milliseconds(30), .milliseconds(60), .milliseconds(120), .milliseconds(240), .milliseconds(480),
                .milliseconds(960), .milliseconds(1920), .milliseconds(3840), .seconds(5), .seconds(5),
            ])
        #expect(policy.delay(afterFailures: 3, retryAfter: nil) == .milliseconds(120))
        #expect(policy.backoff(afterFailures: 10_000) == .seconds(5))
    }

    @Test func jitterOnlyShortensWithinItsFraction() {
        let policy = RetryPolicy(minBackoff: .seconds(1), maxBackoff: .seconds(8), jitter: 0.5)
        var seen = Set<Duration>()
        for _ in 0..<200 {
            let delay = policy.delay(afterFailures: 2, retryAfter: nil)
            #expect(delay >= .seconds(1) && delay <= .seconds(2))
            seen.insert(delay)
        }
        #expect(seen.count > 50)
    }

    @Test func retryAfterReplacesTheBackoffUpToItsCap() {
        let policy = RetryPolicy(minBackoff: .milliseconds(30), jitter: 0.5, maxRetryAfter: .seconds(60))
        #expect(policy.delay(afterFailures: 1, retryAfter: .seconds(10)) == .seconds(10))
        #expect(policy.delay(afterFailures: 1, retryAfter: .seconds(3600)) == .seconds(60))
    }

    @Test func attemptsAreBoundedOrNot() {
        let bounded = RetryPolicy(maxAttempts: 3)
        #expect(bounded.allowsAttempt(after: 2))
        #expect(!bounded.allowsAttempt(after: 3))
        #expect(!RetryPolicy.never.allowsAttempt(after: 1))
        #expect(RetryPolicy(maxAttempts: nil).allowsAttempt(after: 1_000_000))
    }
}
