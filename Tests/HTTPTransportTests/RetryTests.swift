import Foundation
import HTTPTransport
import TestSupport
import Testing

/// The retrying `send` against faults a real server cannot be made to produce.
@Suite struct RetryTests {
    @Test func serverErrorThenSuccessIsRetried() async throws {
        let server = try ScriptedHTTPServer([.text(500, "boom"), .text(200, "ok")])
        defer { server.stop() }
        let client = try makeClient()
        let retries = RetryLog()
        let response = try await client.send(
            HTTPRequest(method: .post, url: server.baseURL + "/", body: [1]), retryPolicy: fastRetries(),
            onRetry: { retries.append($0) })
        #expect(response.status == 200)
        #expect(server.requests.count == 2)
        #expect(retries.attempts.map(\.failedAttempt) == [1])
        #expect(retries.attempts.first?.error.status == 500)
    }

    @Test func clientErrorIsNotRetried() async throws {
        let server = try ScriptedHTTPServer([.text(400, "bad sample on line 3")])
        defer { server.stop() }
        let client = try makeClient()
        await #expect {
            _ = try await client.send(
                HTTPRequest(method: .post, url: server.baseURL + "/x"), retryPolicy: fastRetries())
        } throws: { error in
            guard case .status(let failure) = error as? HTTPTransportError else { return false }
            return failure.status == 400 && failure.body == "bad sample on line 3" && failure.method == .post
                && failure.url == server.baseURL + "/x"
        }
        #expect(server.requests.count == 1)
    }

    @Test func statusErrorKeepsOnlyTheFirstKiBOfTheBody() async throws {
        let server = try ScriptedHTTPServer([.text(422, String(repeating: "e", count: 5000))])
        defer { server.stop() }
        let client = try makeClient()
        do {
            _ = try await client.send(HTTPRequest(method: .get, url: server.baseURL + "/"), retryPolicy: fastRetries())
            Issue.record("expected a status error")
        } catch {
            #expect(error.status == 422)
            guard case .status(let failure) = error else { throw error }
            #expect(failure.body.utf8.count == 1024)
        }
    }

    @Test func hangPastTheTimeoutFailsInBoundedTime() async throws {
        let server = try ScriptedHTTPServer([.hang(seconds: 30)])
        defer { server.stop() }
        let client = try makeClient(TransportConfiguration(connectTimeout: .seconds(1), timeout: .milliseconds(500)))
        let started = ContinuousClock.now
        do {
            _ = try await client.send(
                HTTPRequest(method: .put, url: server.baseURL + "/"), retryPolicy: fastRetries(attempts: 2))
            Issue.record("expected a timeout")
        } catch {
            guard case .retriesExhausted(let attempts, let last) = error, case .timeout(_, let limit) = last else {
                Issue.record("expected retries exhausted after timeouts, got \(error)")
                return
            }
            #expect(attempts == 2)
            #expect(limit == .milliseconds(500))
            #expect("\(error)".contains("no complete answer within 500ms"))
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed >= .milliseconds(1000))
        #expect(elapsed < .seconds(8))  // far below the server's 30 s silence
        #expect(server.requests.count == 2)
    }

    @Test func perRequestTimeoutOverridesTheConfiguration() async throws {
        let server = try ScriptedHTTPServer([.hang(seconds: 10)])
        defer { server.stop() }
        let client = try makeClient(TransportConfiguration(timeout: .seconds(30)))
        let started = ContinuousClock.now
        await #expect(throws: HTTPTransportError.self) {
            _ = try await client.execute(
                HTTPRequest(method: .get, url: server.baseURL + "/", timeout: .milliseconds(300)))
        }
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func refusedConnectionIsUnreachableAfterRetries() async throws {
        let port = refusedPort()
        let client = try makeClient()
        let retries = RetryLog()
        do {
            _ = try await client.send(
                HTTPRequest(method: .post, url: "http://127.0.0.1:\(port)/metrics"),
                retryPolicy: fastRetries(attempts: 3),
                onRetry: { retries.append($0) })
            Issue.record("expected an error")
        } catch {
            guard case .retriesExhausted(let attempts, .network(let code, let message, let url)) = error else {
                Issue.record("expected retries exhausted after a network error, got \(error)")
                return
            }
            #expect(attempts == 3)
            #expect(code == 7)  // CURLE_COULDNT_CONNECT
            #expect(url == "http://127.0.0.1:\(port)/metrics")
            #expect(!message.isEmpty)
            #expect("\(error)".contains("cannot reach http://127.0.0.1:\(port)/metrics"))
        }
        #expect(retries.attempts.count == 2)
    }

    @Test func retriesWaitWithDoublingBackoff() async throws {
        let server = try ScriptedHTTPServer([.text(503, ""), .text(502, ""), .text(500, ""), .text(200, "ok")])
        defer { server.stop() }
        let client = try makeClient()
        let policy = RetryPolicy(
            minBackoff: .milliseconds(150), maxBackoff: .milliseconds(400), maxAttempts: 5, jitter: 0)
        let retries = RetryLog()
        let clock = TestClock()
        _ = try await RetryLoop(policy: policy, clock: clock).send(
            HTTPRequest(method: .get, url: server.baseURL + "/"), over: client, onRetry: { retries.append($0) })
        let waits: [Duration] = [.milliseconds(150), .milliseconds(300), .milliseconds(400)]
        #expect(retries.attempts.map(\.delay) == waits)
        #expect(clock.sleeps == waits, "what is reported is what is waited")
        #expect(server.requests.count == 4)
    }

    @Test func tooManyRequestsHonoursRetryAfterWhenConfigured() async throws {
        let server = try ScriptedHTTPServer([.text(429, "slow down", headers: ["Retry-After": "1"]), .text(204, "")])
        defer { server.stop() }
        let clock = TestClock()
        let response = try await RetryLoop(policy: fastRetries(retryOn429: true), clock: clock).send(
            HTTPRequest(method: .post, url: server.baseURL + "/"), over: try makeClient())
        #expect(response.status == 204)
        #expect(clock.sleeps == [.seconds(1)])
        #expect(server.requests.count == 2)
    }

    @Test func tooManyRequestsIsPermanentUnlessConfigured() async throws {
        let server = try ScriptedHTTPServer([.text(429, "slow down", headers: ["Retry-After": "1"]), .text(200, "")])
        defer { server.stop() }
        let client = try makeClient()
        do {
            _ = try await client.send(HTTPRequest(method: .post, url: server.baseURL + "/"), retryPolicy: fastRetries())
            Issue.record("expected 429 to be permanent")
        } catch {
            guard case .status(let failure) = error else { throw error }
            #expect(failure.status == 429)
            #expect(failure.retryAfter == .seconds(1))
        }
        #expect(server.requests.count == 1)
    }

    @Test func serviceUnavailableHonoursAnHTTPDateRetryAfter() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let server = try ScriptedHTTPServer { index, _ in
            index == 0
                ? .text(503, "", headers: ["Retry-After": formatter.string(from: Date().addingTimeInterval(2))])
                : .text(200, "")
        }
        defer { server.stop() }
        let clock = TestClock()
        _ = try await RetryLoop(policy: fastRetries(), clock: clock).send(
            HTTPRequest(method: .get, url: server.baseURL + "/"), over: try makeClient())
        let delay = try #require(clock.sleeps.first)
        #expect(delay > .milliseconds(900) && delay <= .seconds(2))
    }

    @Test func droppedConnectionIsRetried() async throws {
        let server = try ScriptedHTTPServer([.close, .text(200, "ok")])
        defer { server.stop() }
        let client = try makeClient()
        let response = try await client.send(
            HTTPRequest(method: .put, url: server.baseURL + "/"), retryPolicy: fastRetries())
        #expect(response.status == 200)
        #expect(server.requests.count == 2)
    }
}

/// Collects `RetryAttempt`s from the `onRetry` hook.
final class RetryLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [RetryAttempt] = []

    var attempts: [RetryAttempt] { lock.withLock { recorded } }

    func append(_ attempt: RetryAttempt) {
        lock.withLock { recorded.append(attempt) }
    }
}
