import Foundation
import HTTPTransport
import TestSupport
import Testing

@Suite struct HTTPClientTests {
    @Test func sendsMethodHeadersAndBodyAndReadsTheAnswer() async throws {
        let server = try ScriptedHTTPServer([
            .text(201, "created", headers: ["X-Prometheus-Remote-Write-Samples-Written": "7", "Retry-After": "3"])
        ])
        defer { server.stop() }
        var configuration = TransportConfiguration(timeout: .seconds(5))
        configuration.headers = ["X-Scope-OrgID": "tenant-1", "Content-Type": "overridden/by-request"]
        let client = try makeClient(configuration)
        let body: [UInt8] = [0, 1, 2, 255, 10, 13]
        let response = try await client.execute(
            HTTPRequest(
                method: .put, url: server.baseURL + "/metrics/job/a", headers: ["Content-Type": "application/x-test"],
                body: body))

        #expect(response.status == 201)
        #expect(response.bodyText == "created")
        #expect(response.headers["x-prometheus-remote-write-samples-written"] == "7")
        #expect(response.headers["X-PROMETHEUS-REMOTE-WRITE-SAMPLES-WRITTEN"] == "7")
        #expect(response.retryAfter == .seconds(3))
        #expect(response.timing.total > .zero)

        let request = try #require(server.requests.first)
        #expect(request.method == "PUT")
        #expect(request.target == "/metrics/job/a")
        #expect(request.body == body)
        #expect(request.headers["Content-Type"] == "application/x-test")
        #expect(request.headers.filter { $0.name.lowercased() == "content-type" }.count == 1)
        #expect(request.headers["X-Scope-OrgID"] == "tenant-1")
        #expect(request.headers["User-Agent"] == "ipvs-push/\(IPVSPushVersion.current)")
        #expect(request.headers["Expect"] == nil)
        #expect(request.headers["Content-Length"] == "\(body.count)")
    }

    @Test func everyMethodGoesOutAsItself() async throws {
        let server = try ScriptedHTTPServer([.text(200, "ok")])
        defer { server.stop() }
        let client = try makeClient()
        for method in HTTPMethod.allCases {
            let response = try await client.execute(HTTPRequest(method: method, url: server.baseURL + "/m"))
            #expect(response.status == 200)
        }
        #expect(server.requests.map(\.method) == HTTPMethod.allCases.map(\.rawValue))
        // A POST without a body still sends an empty one, and no form Content-Type.
        let post = try #require(server.requests.first { $0.method == "POST" })
        #expect(post.headers["Content-Length"] == "0")
        #expect(post.headers["Content-Type"] == nil)
        let delete = try #require(server.requests.first { $0.method == "DELETE" })
        #expect(delete.body.isEmpty)
    }

    @Test func keepsOnlyTheConfiguredStartOfALargeBody() async throws {
        let big = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)
        let server = try ScriptedHTTPServer([.respond(status: 200, body: big)])
        defer { server.stop() }
        let client = try makeClient(TransportConfiguration(timeout: .seconds(5), maxStoredBodyBytes: 64 * 1024))
        let response = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
        #expect(response.body.count == 64 * 1024)
        #expect(response.bodyBytesReceived == 100_000)
        #expect(response.isBodyTruncated)
    }

    @Test func reusesTheConnectionAcrossRequests() async throws {
        let server = try ScriptedHTTPServer([.text(200, "ok")])
        defer { server.stop() }
        let client = try makeClient()
        for _ in 0..<3 {
            _ = try await client.execute(HTTPRequest(method: .post, url: server.baseURL + "/", body: [1, 2, 3]))
        }
        #expect(Set(server.requests.map(\.connection)).count == 1)
    }

    @Test func runsConcurrentRequests() async throws {
        let server = try ScriptedHTTPServer { _, _ in .text(200, "ok") }
        defer { server.stop() }
        let client = try makeClient()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/\(index)")).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 8))
        #expect(Set(server.requests.map(\.target)).count == 8)
    }

    @Test func gzippedRequestCarriesEncodingAndDecompressibleBody() async throws {
        let server = try ScriptedHTTPServer([.text(200, "ok")])
        defer { server.stop() }
        let client = try makeClient()
        let text = Array(String(repeating: "ipvs_service_connections_total 1\n", count: 100).utf8)
        let request = try HTTPRequest(method: .post, url: server.baseURL + "/", body: text).gzipped()
        _ = try await client.execute(request)
        let received = try #require(server.requests.first)
        #expect(received.headers["Content-Encoding"] == "gzip")
        #expect(received.body.count < text.count)
        #expect(try Gzip.decompress(received.body) == text)
    }

    @Test func rejectsNonHTTPSchemes() async throws {
        let client = try makeClient()
        await #expect {
            _ = try await client.execute(HTTPRequest(method: .get, url: "file:///etc/passwd"))
        } throws: { error in
            guard case .network(let code, _, _) = error as? HTTPTransportError else { return false }
            return code == 1  // CURLE_UNSUPPORTED_PROTOCOL
        }
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try ScriptedHTTPServer([.hang(seconds: 20)])
        defer { server.stop() }
        let client = try makeClient(TransportConfiguration(timeout: .seconds(30)))
        let started = ContinuousClock.now
        let task = Task {
            try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/"))
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(5))
        guard case .failure(let error) = result, case .cancelled = error as? HTTPTransportError else {
            Issue.record("expected a cancellation error, got \(result)")
            return
        }
    }
}
