import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 standing in for a remote-write receiver where the
/// real ones cannot show what the test needs: the request headers (`X-Scope-OrgID`), the
/// metadata as sent, and a 400 answer. It records every request and answers each with what
/// `answer` gives for it (its arrival index, from 0, and the request).
final class RecordingReceiver: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names lower-cased.
        var headers: [String: String]
        var body: [UInt8]
    }

    /// A status and a body to answer a request with.
    struct Answer: Sendable {
        var status: Int
        var body: String = ""
        var headers: [String: String] = [:]
    }

    let port: Int
    var url: String { "http://127.0.0.1:\(port)/api/v1/write" }

    private let listener: Int32
    private let answer: @Sendable (Int, Request) -> Answer
    private let lock = NSLock()
    private var recorded: [Request] = []

    init(answer: @escaping @Sendable (Int, Request) -> Answer = { _, _ in Answer(status: 204) }) throws {
        self.answer = answer
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("recording receiver: socket() failed, errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 && listen(fd, 16) == 0
            }
        }
        guard listening else {
            close(fd)
            throw TestFailure("recording receiver cannot listen: errno \(errno)")
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return
                }
                Thread { self.serve(connection) }.start()
            }
        }.start()
    }

    deinit {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// Every request so far, in arrival order.
    var requests: [Request] { lock.withLock { recorded } }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        var buffer: [UInt8] = []
        while let request = read(connection, &buffer) {
            let index = lock.withLock {
                recorded.append(request)
                return recorded.count - 1
            }
            let reply = answer(index, request)
            let text =
                "HTTP/1.1 \(reply.status) Recorded\r\nContent-Type: text/plain\r\nContent-Length: "
                + "\(reply.body.utf8.count)\r\n"
                + reply.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)\r\n" }.joined()
                + "\r\n\(reply.body)"
            var bytes = Array(text.utf8)[...]
            while !bytes.isEmpty {
                let sent = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard sent > 0 else { return }
                bytes = bytes.dropFirst(sent)
            }
        }
    }

    /// Reads one request (head and a Content-Length body) from the connection.
    private func read(_ connection: Int32, _ buffer: inout [UInt8]) -> Request? {
        let blank = Array("\r\n\r\n".utf8)
        var end: Int?
        while true {
            if buffer.count >= 4 {
                end = (0...(buffer.count - 4)).first { buffer[$0..<($0 + 4)].elementsEqual(blank) }
            }
            if end != nil { break }
            guard receive(connection, &buffer) else { return nil }
        }
        let head = String(decoding: buffer[..<end!], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(end! + 4)
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < length {
            guard receive(connection, &buffer) else { return nil }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func receive(_ connection: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[..<count]
        return true
    }
}
