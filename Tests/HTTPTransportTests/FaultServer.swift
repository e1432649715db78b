import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny blocking HTTP/1.1 server on 127.0.0.1 for faults a real server cannot be
/// made to produce: scripted statuses, `Retry-After`, hangs, dropped connections.
/// Every request is recorded (with the connection it came on and when it arrived).
/// It also serves as a forward proxy: a request line with an absolute URL is
/// recorded like any other.
final class FaultServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        var headers: [(name: String, value: String)]
        var body: [UInt8]
        var connection: Int
        var arrival: Date

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    enum Action: Sendable {
        case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
        /// Reads the request and says nothing for this long, then closes.
        case hang(seconds: Double)
        /// Closes the connection without an answer.
        case close

        static func text(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Action {
            .respond(status: status, headers: headers, body: Array(body.utf8))
        }
    }

    typealias Script = @Sendable (_ index: Int, _ request: Request) -> Action

    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let script: Script
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var connectionCount = 0
    private var stopped = false

    /// Starts listening at once; `script` decides each answer from the request's index
    /// (0 for the first request the server sees) and content.
    init(script: @escaping Script) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        guard fd >= 0 else { throw FaultServerError("socket: errno \(errno)") }
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
        guard bound, listen(fd, 64) == 0 else {
            close(fd)
            throw FaultServerError("bind/listen: errno \(errno)")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A server answering every request with `actions[index]` (the last one repeated).
    convenience init(_ actions: [Action]) throws {
        try self.init { index, _ in actions[min(index, actions.count - 1)] }
    }

    deinit { stop() }

    var requests: [Request] { lock.withLock { recorded } }

    func stop() {
        let wasStopped = lock.withLock {
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            let id = lock.withLock {
                connectionCount += 1
                return connectionCount
            }
            let thread = Thread { [self] in serve(connection, id: id) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32, id: Int) {
        defer { close(connection) }
        var buffer: [UInt8] = []
        while let request = readRequest(connection, buffer: &buffer, id: id) {
            let index = lock.withLock {
                recorded.append(request)
                return recorded.count - 1
            }
            switch script(index, request) {
            case .respond(let status, let headers, let body):
                var head = "HTTP/1.1 \(status) Fault\r\nContent-Length: \(body.count)\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "\r\n"
                guard writeAll(connection, Array(head.utf8) + body) else { return }
            case .hang(let seconds):
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline && !lock.withLock({ stopped }) { usleep(20_000) }
                return
            case .close:
                return
            }
        }
    }

    private func readRequest(_ connection: Int32, buffer: inout [UInt8], id: Int) -> Request? {
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int? = nil
        while headEnd == nil {
            if let found = find(separator, in: buffer) {
                headEnd = found
            } else if !readMore(connection, into: &buffer) {
                return nil
            }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeSubrange(0..<(headEnd! + 4))
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        while buffer.count < length {
            guard readMore(connection, into: &buffer) else { return nil }
        }
        let body = Array(buffer[0..<length])
        buffer.removeSubrange(0..<length)
        return Request(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body,
            connection: id, arrival: Date())
    }

    private func readMore(_ connection: Int32, into buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
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
        for index in 0...(haystack.count - needle.count)
        where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}

struct FaultServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
