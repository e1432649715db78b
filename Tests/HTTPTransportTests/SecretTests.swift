import Foundation
import HTTPTransport
import TestSupport
import Testing

/// Passwords, tokens, `Authorization` values and URL user information never show in
/// errors or log lines, even when a server echoes the request back.
@Suite struct SecretTests {
    static let password = "pa55-word-Basic-S3cret"
    static let token = "tok-ABCDEF-0123456789-secret"
    static let urlPassword = "url-pw-hidden"

    /// A server that answers 400 with the request's headers in the body, like a
    /// debugging proxy would.
    func echoServer() throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer { _, request in
            .text(400, request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n"))
        }
    }

    func assertClean(_ text: String, _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        let basic = Data("alice:\(Self.password)".utf8).base64EncodedString()
        for secret in [Self.password, Self.token, Self.urlPassword, basic] + extra {
            #expect(!text.contains(secret), "secret \(secret) leaked into: \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func basicAuthIsSentButNeverShown() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let capture = LogCapture()
        let passwordFile = try temporaryFile(Self.password + "\n")
        let client = try makeClient(
            TransportConfiguration(
                timeout: .seconds(5), authentication: .basic(username: "alice", passwordFile: passwordFile)),
            capture: capture)
        do {
            _ = try await client.send(HTTPRequest(method: .post, url: server.baseURL + "/"), retryPolicy: fastRetries())
            Issue.record("expected a 400")
        } catch {
            guard case .status(let failure) = error else { throw error }
            // The echo really contained the credentials: the redaction is what removed them.
            #expect(failure.body.contains("Authorization: <redacted>"))
            assertClean("\(error)")
            assertClean(String(reflecting: error))
            assertClean(error.localizedDescription)
        }
        let sent = try #require(server.requests.first?.headers["Authorization"])
        #expect(sent == "Basic " + Data("alice:\(Self.password)".utf8).base64EncodedString())
        #expect(!capture.lines.isEmpty)
        for line in capture.lines { assertClean(line) }
    }

    @Test func bearerTokenIsSentButNeverShown() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let capture = LogCapture()
        let tokenFile = try temporaryFile("  \(Self.token)\n")
        let client = try makeClient(
            TransportConfiguration(timeout: .seconds(5), authentication: .bearer(tokenFile: tokenFile)),
            capture: capture)
        do {
            _ = try await client.send(HTTPRequest(method: .put, url: server.baseURL + "/"), retryPolicy: fastRetries())
            Issue.record("expected a 400")
        } catch {
            assertClean("\(error)")
            assertClean(String(reflecting: error))
        }
        #expect(server.requests.first?.headers["Authorization"] == "Bearer \(Self.token)")
        for line in capture.lines { assertClean(line) }
    }

    @Test func customSecretHeadersAreScrubbedFromEchoes() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let apiKey = "key-9f8e7d6c5b4a"
        let client = try makeClient(TransportConfiguration(timeout: .seconds(5), headers: ["X-API-Key": apiKey]))
        do {
            _ = try await client.send(HTTPRequest(method: .get, url: server.baseURL + "/"), retryPolicy: fastRetries())
        } catch {
            assertClean("\(error)", [apiKey])
        }
        #expect(server.requests.first?.headers["X-API-Key"] == apiKey)
    }

    @Test func urlUserInfoIsSentButNeverShown() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let capture = LogCapture()
        let client = try makeClient(capture: capture)
        let url = "http://bob:\(Self.urlPassword)@127.0.0.1:\(server.port)/metrics/job/x"
        do {
            _ = try await client.send(HTTPRequest(method: .put, url: url), retryPolicy: fastRetries())
            Issue.record("expected a 400")
        } catch {
            guard case .status(let failure) = error else { throw error }
            #expect(failure.url == "http://127.0.0.1:\(server.port)/metrics/job/x")
            assertClean("\(error)")
        }
        #expect(
            server.requests.first?.headers["Authorization"] == "Basic "
                + Data("bob:\(Self.urlPassword)".utf8).base64EncodedString())
        for line in capture.lines { assertClean(line) }

        // And when nothing answers: the network error and retry logs are clean too.
        let refused = "http://bob:\(Self.urlPassword)@127.0.0.1:\(refusedPort())/x"
        do {
            _ = try await client.send(HTTPRequest(method: .put, url: refused), retryPolicy: fastRetries(attempts: 2))
        } catch {
            assertClean("\(error)")
            #expect("\(error)".contains("http://127.0.0.1:"))
        }
        for line in capture.lines { assertClean(line) }
    }

    @Test func proxyCredentialsAreNeverShown() async throws {
        let capture = LogCapture()
        let proxy = "http://carol:\(Self.urlPassword)@127.0.0.1:\(refusedPort())"
        let client = try makeClient(TransportConfiguration(timeout: .seconds(2), proxyURL: proxy), capture: capture)
        do {
            _ = try await client.send(
                HTTPRequest(method: .get, url: "http://127.0.0.1:1/"), retryPolicy: fastRetries(attempts: 2))
            Issue.record("expected a proxy failure")
        } catch {
            assertClean("\(error)")
        }
        #expect(!capture.lines.isEmpty)
        for line in capture.lines { assertClean(line) }
    }

    @Test func missingSecretFilesFailAtStartWithThePathButNotTheContent() throws {
        #expect {
            _ = try makeClient(TransportConfiguration(authentication: .bearer(tokenFile: "/nonexistent/token")))
        } throws: { error in
            "\(error)".contains("bearer token file /nonexistent/token") && "\(error)".contains("No such file")
        }
        let empty = try temporaryFile("\n")
        #expect {
            _ = try makeClient(TransportConfiguration(authentication: .basic(username: "a", passwordFile: empty)))
        } throws: { error in
            "\(error)".contains("is empty")
        }
    }
}
