import Foundation
import TestSupport

/// Runs the real curl client against the server under test, so that requests carry
/// exactly the headers a test gives (URLSession adds its own Accept-Encoding and
/// decompresses behind the test's back).
enum Curl {
    struct Response: Sendable {
        var exitCode: Int32
        var status: Int
        /// Header names lowercased; the last value wins.
        var headers: [String: String]
        var body: Data
        /// What `-w` printed, when the test asked for it.
        var writeOut: String
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Runs `curl -sS <arguments> <url>` and collects status, headers and the raw body.
    static func run(_ url: String, _ arguments: [String] = [], timeout: TimeInterval = 20) async throws -> Response {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let headerFile = directory.appendingPathComponent("headers")
        let bodyFile = directory.appendingPathComponent("body")
        let result = try await ChildProcess.run(
            "/usr/bin/curl",
            ["-sS", "--max-time", String(timeout), "-D", headerFile.path, "-o", bodyFile.path] + arguments + [url],
            timeout: timeout + 30)
        var status = 0
        var headers: [String: String] = [:]
        let headerText = (try? String(contentsOf: headerFile, encoding: .utf8)) ?? ""
        for line in headerText.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("HTTP/") {
                status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
                headers = [:]
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let body = (try? Data(contentsOf: bodyFile)) ?? Data()
        return Response(
            exitCode: result.status, status: status, headers: headers, body: body,
            writeOut: String(decoding: result.standardOutput, as: UTF8.self))
    }
}
