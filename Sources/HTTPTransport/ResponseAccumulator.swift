/// Collects one response from libcurl's header and write callbacks: header fields of
/// the final response (interim `100 Continue` and proxy `CONNECT` answers are
/// dropped), the first bytes of the body and the total body size.
final class ResponseAccumulator {
    private(set) var headers = HTTPHeaders()
    private(set) var body: [UInt8] = []
    private(set) var bodyBytesReceived = 0
    let bodyLimit: Int
    let cancellation: CancellationFlag

    init(bodyLimit: Int, cancellation: CancellationFlag) {
        self.bodyLimit = bodyLimit
        self.cancellation = cancellation
    }

    func appendBody(_ bytes: UnsafeRawBufferPointer) {
        bodyBytesReceived += bytes.count
        let room = bodyLimit - body.count
        if room > 0 { body.append(contentsOf: bytes.prefix(room)) }
    }

    /// One raw header line as libcurl delivers it, CRLF included.
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var line = Substring(String(decoding: bytes, as: UTF8.self))
        while let last = line.last, last == "\r\n" || last == "\n" || last == "\r" { line = line.dropLast() }
        if line.hasPrefix("HTTP/") {
            headers = HTTPHeaders()
            return
        }
        guard !line.isEmpty else { return }
        if line.first == " " || line.first == "\t" {
            // An obsolete folded continuation of the previous field.
            headers.extendLastValue(with: " " + trimmed(line))
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        headers.add(name: String(line[..<colon]), value: trimmed(line[line.index(after: colon)...]))
    }

    private func trimmed(_ text: Substring) -> String {
        var slice = text
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
