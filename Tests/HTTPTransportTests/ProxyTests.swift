import Foundation
import HTTPTransport
import TestSupport
import Testing

/// Requests through a forward proxy (the scripted server records the absolute URL a
/// proxy receives in the request line).
@Suite struct ProxyTests {
    static let childVariable = "IPVS_PUSH_TEST_PROXY_CHILD"

    @Test func configuredProxyCarriesTheRequest() async throws {
        let proxy = try ScriptedHTTPServer([.text(200, "via proxy")])
        defer { proxy.stop() }
        let client = try makeClient(TransportConfiguration(timeout: .seconds(5), proxyURL: proxy.baseURL))
        let response = try await client.execute(
            HTTPRequest(method: .put, url: "http://127.0.0.2:9/metrics/job/a", body: [1]))
        #expect(response.bodyText == "via proxy")
        #expect(proxy.requests.first?.target == "http://127.0.0.2:9/metrics/job/a")
        #expect(proxy.requests.first?.method == "PUT")
    }

    @Test func noProxyBypassesTheConfiguredProxy() async throws {
        let server = try ScriptedHTTPServer([.text(200, "direct")])
        defer { server.stop() }
        let client = try makeClient(
            TransportConfiguration(
                timeout: .seconds(5), proxyURL: "http://127.0.0.1:\(refusedPort())", noProxy: "127.0.0.1"))
        let response = try await client.execute(HTTPRequest(method: .get, url: server.baseURL + "/x"))
        #expect(response.bodyText == "direct")
        #expect(server.requests.first?.target == "/x")
    }

    /// libcurl reads `http_proxy` and `no_proxy` itself when no proxy is configured.
    /// Changing the environment of the shared test process would race with other
    /// tests, so the check runs in a child: this test binary, running only
    /// `environmentProxyChild` with the variables set.
    @Test func environmentProxyVariablesApply() async throws {
        let proxy = try ScriptedHTTPServer([.text(200, "via env proxy")])
        defer { proxy.stop() }
        let direct = try ScriptedHTTPServer([.text(200, "direct")])
        defer { direct.stop() }
        var environment = ProcessInfo.processInfo.environment
        for name in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "NO_PROXY"] {
            environment[name] = nil
        }
        environment["http_proxy"] = proxy.baseURL
        environment["no_proxy"] = "localhost,127.0.0.1"
        environment[Self.childVariable] = "http://127.0.0.2:9/through-proxy \(direct.baseURL)/direct"
        let child = try await ChildProcess.run(
            "/proc/self/exe", ["--testing-library", "swift-testing", "--filter", "ProxyTests/environmentProxyChild"],
            environment: environment, output: .merged, timeout: 120)
        let text = child.stdout
        #expect(child.status == 0, "child test failed:\n\(text)")
        #expect(text.contains("environmentProxyChild"), "the child did not run the test:\n\(text)")
        #expect(proxy.requests.map(\.target) == ["http://127.0.0.2:9/through-proxy"])
        #expect(direct.requests.map(\.target) == ["/direct"])
    }

    /// The child side of `environmentProxyVariablesApply`; does nothing in a normal run.
    @Test func environmentProxyChild() async throws {
        guard let urls = ProcessInfo.processInfo.environment[Self.childVariable]?.split(separator: " ") else { return }
        let client = try makeClient()
        let proxied = try await client.execute(HTTPRequest(method: .get, url: String(urls[0])))
        #expect(proxied.bodyText == "via env proxy")
        let direct = try await client.execute(HTTPRequest(method: .get, url: String(urls[1])))
        #expect(direct.bodyText == "direct")
    }
}
