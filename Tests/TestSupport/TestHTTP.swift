import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A minimal HTTP client for tests: reading back what a real server stored.
public enum TestHTTP {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public static func request(
        _ url: String, method: String = "GET", headers: [String: String] = [:], body: Data? = nil,
        timeout: TimeInterval = 10
    ) async throws -> Response {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = timeout
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var responseHeaders: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            responseHeaders[String(describing: name).lowercased()] = String(describing: value)
        }
        return Response(status: http.statusCode, headers: responseHeaders, body: data)
    }

    /// GETs `url` until it answers 2xx or `deadline` seconds pass.
    public static func waitUntilReady(_ url: String, deadline: TimeInterval = 30) async throws {
        let start = Date()
        var lastError: (any Error)?
        while Date().timeIntervalSince(start) < deadline {
            do {
                let response = try await request(url, timeout: 2)
                if (200..<300).contains(response.status) { return }
            } catch {
                lastError = error
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw TestFailure(
            "\(url) did not become ready within \(deadline)s (last error: \(String(describing: lastError)))")
    }
}

/// An error a test helper throws with a readable message.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
