import Foundation
import TestSupport

/// A temporary directory with a server certificate, its key, a client CA (made by the
/// openssl CLI) and whatever web configuration files a test writes there.
struct WebConfigTestFiles: Sendable {
    let directory: URL

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The directory with `ca.crt`, `server.crt`/`server.key` (for 127.0.0.1, signed by
    /// `ca.crt`), `other.key` (not the server certificate's) and `client-ca.crt`.
    static func make() throws -> WebConfigTestFiles {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-webconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = WebConfigTestFiles(directory: directory)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try files.openssl(
            ["req", "-x509"] + ec + [
                "-keyout", files.path("ca.key"), "-out", files.path("ca.crt"), "-days", "2", "-subj", "/CN=test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign",
            ])
        try files.openssl(
            ["req"] + ec + [
                "-keyout", files.path("server.key"), "-out", files.path("server.csr"), "-subj", "/CN=server",
            ])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: files.path("server.ext"), atomically: true, encoding: .utf8)
        try files.openssl([
            "x509", "-req", "-in", files.path("server.csr"), "-CA", files.path("ca.crt"), "-CAkey",
            files.path("ca.key"),
            "-CAcreateserial", "-out", files.path("server.crt"), "-days", "2", "-extfile", files.path("server.ext"),
        ])
        try files.openssl([
            "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", files.path("other.key"),
        ])
        try files.openssl(
            ["req", "-x509"] + ec + [
                "-keyout", files.path("client-ca.key"), "-out", files.path("client-ca.crt"), "-days", "2",
                "-subj", "/CN=client CA",
            ])
        return files
    }

    /// Writes `text` as `name` in the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func openssl(_ arguments: [String]) throws {
        let result = try ChildProcess.runBlocking("/usr/bin/openssl", arguments)
        guard result.status == 0 else {
            throw TestFailure("openssl \(arguments.joined(separator: " ")) exited with \(result.status)")
        }
    }
}
