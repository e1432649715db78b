import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 standing in for a remote-write receiver, for
/// the faults real receivers cannot be made to produce on demand: scripted statuses,
/// `Retry-After`, hangs, dropped connections, a 2.0 receiver's answers. It records
/// every request (headers and body) in arrival order.
final class FaultReceiver: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        var headers: [String: String]  // lower-cased names
        var body: [UInt8]
        var arrival: Date
    }

    enum Action: Sendable {
        case respond(status: Int, headers: [String: String] = [:], body: String = "")
        /// Answers after a pause, to keep requests in flight.
        case respondAfter(seconds: Double, status: Int, headers: [String: String] = [:])
        /// Reads the request and stays silent for this long, then closes.
        case hang(seconds: Double)
        /// Closes the connection without an answer.
        case close
    }

    typealias Script = @Sendable (_ index: Int, _ request: Request) -> Action

    let port: Int
    var url: String { "http://127.0.0.1:\(port)/api/v1/write" }

    private let listener: Int32
    private let script: Script
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var stopped = false
    private var inFlight = 0
    private var maxInFlight = 0

    init(script: @escaping Script) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard fd >= 0, bound, listen(fd, 64) == 0 else {
            throw TestFailure("fault receiver cannot listen: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop() }.start()
    }

    /// Answers request `i` with `actions[i]`, the last action repeating.
    convenience init(_ actions: [Action]) throws {
        try self.init { index, _ in actions[min(index, actions.count - 1)] }
    }

    deinit { stop() }

    var requests: [Request] { lock.withLock { recorded } }

    /// The most requests the server was answering at the same time.
    var mostConcurrentRequests: Int { lock.withLock { maxInFlight } }

    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            Thread { [self] in serve(connection) }.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { Glibc.close(connection) }
        var buffer: [UInt8] = []
        while let request = readRequest(connection, &buffer) {
            let index = lock.withLock {
                recorded.append(request)
                inFlight += 1
                maxInFlight = max(maxInFlight, inFlight)
                return recorded.count - 1
            }
            defer { lock.withLock { inFlight -= 1 } }
            var action = script(index, request)
            if case .respondAfter(let seconds, let status, let headers) = action {
                usleep(UInt32(seconds * 1_000_000))
                action = .respond(status: status, headers: headers)
            }
            switch action {
            case .respondAfter:
                return
            case .respond(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) Scripted\r\nContent-Length: \(body.utf8.count)\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                guard send(connection, Array((head + "\r\n" + body).utf8)) else { return }
            case .hang(let seconds):
                let end = Date().addingTimeInterval(seconds)
                while Date() < end && !lock.withLock({ stopped }) { usleep(20_000) }
                return
            case .close:
                return
            }
        }
    }

    private func readRequest(_ connection: Int32, _ buffer: inout [UInt8]) -> Request? {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.indices.dropLast(3).first { buffer[$0..<($0 + 4)].elementsEqual(separator) }
            if headEnd == nil, !receive(connection, &buffer) { return nil }
        }
        let lines = String(decoding: buffer[0..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeSubrange(0..<(headEnd! + 4))
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard receive(connection, &buffer) else { return nil }
        }
        let body = Array(buffer[0..<length])
        buffer.removeSubrange(0..<length)
        return Request(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body, arrival: Date())
    }

    private func receive(_ connection: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[0..<count]
        return true
    }

    private func send(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
