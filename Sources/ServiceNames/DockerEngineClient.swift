import Foundation
import HTTPTransport
import Logging
import NIOConcurrencyHelpers
import TimeUnits

#if canImport(Glibc)
    import Glibc
#endif

/// Reads Docker's Swarm services and networks from the Engine API over its Unix socket
/// (`GET /version`, `/vX/services`, `/vX/networks`), through the libcurl client.
///
/// The API version is chosen from `/version` once per connection: after any failure
/// the next read asks again, since the daemon may have been upgraded meanwhile.
public final class DockerEngineClient: DockerInventorySource {
    public let host: DockerHost
    public var location: String { host.description }
    private let transport: HTTPClient
    private let timeout: Duration
    private let version = NIOLockedValueBox<DockerAPIVersion?>(nil)

    /// How long each request may take. The daemon answers from memory in milliseconds;
    /// a request that takes seconds means a stuck daemon, and waiting longer only delays
    /// the names, never a collection (reads run in the background).
    public static let defaultTimeout: Duration = .seconds(2)

    /// How much of an answer is read. `/services` returns each service's whole spec,
    /// 1 to 4 KiB of JSON apiece (more with long environments or many mounts): 32 MiB
    /// holds several thousand services with room to spare, while still bounding the
    /// memory a runaway answer can take.
    public static let bodyLimit = 32 * 1024 * 1024

    public init(host: DockerHost, timeout: Duration = defaultTimeout, logger: Logger) throws(HTTPTransportError) {
        self.host = host
        self.timeout = timeout
        // Proxy settings do not apply to a Unix socket (libcurl ignores them there).
        let configuration = TransportConfiguration(
            connectTimeout: timeout, timeout: timeout, maxStoredBodyBytes: Self.bodyLimit, maxIdleHandles: 1,
            unixSocketPath: host.socketPath)
        transport = try HTTPClient(configuration: configuration, logger: logger)
    }

    public func fetch() async throws(DockerQueryError) -> DockerInventory {
        do {
            let apiVersion = try await negotiatedVersion()
            let services = try await get("\(apiVersion.pathPrefix)/services")
            let networks = try await get("\(apiVersion.pathPrefix)/networks")
            return try DockerInventory(apiVersion: apiVersion, servicesJSON: services, networksJSON: networks)
        } catch {
            version.withLockedValue { $0 = nil }
            throw error
        }
    }

    /// The version chosen on this connection, asking `/version` when there is none yet.
    private func negotiatedVersion() async throws(DockerQueryError) -> DockerAPIVersion {
        if let known = version.withLockedValue({ $0 }) { return known }
        let answer: DockerVersionAnswer = try DockerInventory.decode(try await get("/version"), what: "/version")
        let chosen = DockerAPIVersion.negotiate(
            minimum: answer.minAPIVersion.flatMap(DockerAPIVersion.init),
            maximum: answer.apiVersion.flatMap(DockerAPIVersion.init))
        version.withLockedValue { $0 = chosen }
        return chosen
    }

    /// The body of a 2xx answer to `GET path`.
    private func get(_ path: String) async throws(DockerQueryError) -> [UInt8] {
        let response: HTTPResponse
        do {
            response = try await transport.execute(HTTPRequest(method: .get, url: "http://localhost\(path)"))
        } catch {
            throw diagnose(error, path: path)
        }
        guard response.isSuccess else {
            throw .status(path: path, status: response.status, message: Self.message(response.body))
        }
        guard !response.isBodyTruncated else {
            throw .badAnswer(
                path: path,
                reason: "the answer is \(response.bodyBytesReceived) bytes, more than the \(Self.bodyLimit) read")
        }
        return response.body
    }

    /// A transport failure as what the operator should fix. libcurl says "Couldn't
    /// connect" for a missing socket and a refused permission alike, so the socket file
    /// itself is examined.
    private func diagnose(_ error: HTTPTransportError, path: String) -> DockerQueryError {
        let socket = host.socketPath
        switch error.underlying {
        case .timeout(_, let limit):
            return .timeout(socket: socket, path: path, seconds: limit.seconds)
        case .network(_, let message, _):
            var status = stat()
            if stat(socket, &status) != 0 && errno == ENOENT { return .socketMissing(socket: socket) }
            if faccessat(AT_FDCWD, socket, R_OK | W_OK, AT_EACCESS) != 0 && errno == EACCES {
                return .permissionDenied(socket: socket)
            }
            return .unreachable(socket: socket, reason: message)
        default:
            return .unreachable(socket: socket, reason: "\(error)")
        }
    }

    /// Docker's error bodies are `{"message": "..."}`; anything else is shown as text.
    private static func message(_ body: [UInt8]) -> String {
        struct ErrorAnswer: Decodable {
            var message: String
        }
        if let answer = try? JSONDecoder().decode(ErrorAnswer.self, from: Data(body)) { return answer.message }
        return String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
