import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny blocking HTTP/1.1 server on a Unix socket in a fresh temporary directory, for
/// the faults the real Docker daemon cannot be made to produce (an error status,
/// garbage, a hang). Answers are scripted by request path; every request path is recorded.
final class UnixSocketServer: @unchecked Sendable {
    enum Action: Sendable {
        case respond(status: Int, body: String)
        /// Reads the request and says nothing for this long, then closes.
        case hang(seconds: Double)

        static func json(_ body: String) -> Action { .respond(status: 200, body: body) }
    }

    typealias Script = @Sendable (_ path: String) -> Action

    let socketPath: String
    private let directory: String
    private let listener: Int32
    private let script: Script
    private let lock = NSLock()
    private var recorded: [String] = []
    private var stopped = false

    init(script: @escaping Script) throws {
        self.script = script
        // Short: sockaddr_un holds 108 bytes of path.
        directory = "/tmp/ipvs-names-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socketPath = directory + "/docker.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: errno \(errno)") }
        listener = fd
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
        guard bound, listen(fd, 16) == 0 else {
            close(fd)
            throw ServerError("bind/listen \(socketPath): errno \(errno)")
        }
        Thread { [self] in acceptLoop() }.start()
    }

    /// A server answering each path from `answers`, 404 for others.
    convenience init(_ answers: [String: Action]) throws {
        try self.init { path in answers[path] ?? .respond(status: 404, body: #"{"message":"page not found"}"#) }
    }

    deinit { stop() }

    /// The request paths in arrival order.
    var paths: [String] { lock.withLock { recorded } }

    func stop() {
        let wasStopped = lock.withLock {
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        // Wakes the accept loop, which closes the descriptor itself: closed here, its
        // number could be reused by another test's server while the loop still uses it.
        shutdown(listener, Int32(SHUT_RDWR))
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            if lock.withLock({ stopped }) {
                close(connection)
                return
            }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer: [UInt8] = []
        while let path = readRequest(connection, buffer: &buffer) {
            lock.withLock { recorded.append(path) }
            switch script(path) {
            case .respond(let status, let body):
                let bytes = Array(body.utf8)
                let head =
                    "HTTP/1.1 \(status) Scripted\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(bytes.count)\r\n\r\n"
                guard writeAll(connection, Array(head.utf8) + bytes) else { return }
            case .hang(let seconds):
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline && !lock.withLock({ stopped }) { usleep(20_000) }
                return
            }
        }
    }

    /// The path of the next request (GET, no body), or nil when the client closed.
    private func readRequest(_ connection: Int32, buffer: inout [UInt8]) -> String? {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = find(separator, in: buffer) {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeSubrange(0..<(end + separator.count))
                let parts = head.split(separator: "\r\n").first?.split(separator: " ") ?? []
                return parts.count >= 2 ? String(parts[1]) : nil
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    private func writeAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
