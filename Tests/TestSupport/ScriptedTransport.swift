import Foundation
import HTTPTransport

/// A ``RequestTransport`` that answers from a script and records every request: the
/// sender's decisions (retry, drop, fall back) tested without a socket. The last
/// answer repeats once the script runs out.
public final class ScriptedTransport: RequestTransport, @unchecked Sendable {
    public enum Answer: Sendable {
        /// An HTTP answer; anything but 2xx is thrown as `.status`, as ``HTTPClient`` does.
        case status(Int, headers: [(String, String)] = [], body: String = "")
        /// No answer.
        case error(HTTPTransportError)
    }

    private let lock = NSLock()
    private var script: [Answer]
    private var recorded: [HTTPRequest] = []

    public init(_ script: [Answer]) {
        precondition(!script.isEmpty, "a scripted transport needs at least one answer")
        self.script = script
    }

    /// Every request so far, in order.
    public var requests: [HTTPRequest] { lock.withLock { recorded } }

    public func perform(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        let answer = lock.withLock {
            recorded.append(request)
            return script.count > 1 ? script.removeFirst() : script[0]
        }
        switch answer {
        case .error(let error):
            throw error
        case .status(let status, let headers, let body):
            let response = HTTPResponse(
                status: status, headers: HTTPHeaders(headers), body: Array(body.utf8),
                bodyBytesReceived: body.utf8.count,
                timing: HTTPTiming(connect: .zero, firstByte: .zero, total: .zero))
            guard response.isSuccess else {
                throw .status(
                    HTTPStatusFailure(
                        status: status, method: request.method, url: URLRedaction.redact(request.url), body: body,
                        retryAfter: response.retryAfter))
            }
            return response
        }
    }
}
