import Foundation
import TestSupport

/// Certificates and keys made with the openssl CLI in a temporary directory: a server CA
/// with a server certificate for 127.0.0.1 and localhost, and a client CA with client
/// certificates, so the tests use real PEM files as an operator would.
struct WebSecurityFixtures: Sendable {
    let directory: URL

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    var serverCA: String { path("server-ca.crt") }
    var serverCertificate: String { path("server.crt") }
    var serverKey: String { path("server.key") }
    var clientCA: String { path("client-ca.crt") }
    /// Signed by the client CA; SANs `DNS:prometheus.test` and `URI:spiffe://test/prometheus`.
    var clientCertificate: String { path("client.crt") }
    var clientKey: String { path("client.key") }
    /// Signed by the client CA; SAN `DNS:intruder.test` only.
    var otherClientCertificate: String { path("other-client.crt") }
    var otherClientKey: String { path("other-client.key") }
    /// Signed by a CA the server does not trust.
    var strangerCertificate: String { path("stranger.crt") }
    var strangerKey: String { path("stranger.key") }

    /// Makes the whole set in a new temporary directory.
    static func make() async throws -> WebSecurityFixtures {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-websecurity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fixtures = WebSecurityFixtures(directory: directory)
        try await fixtures.makeCA("server-ca", commonName: "ipvs-push test server CA")
        try await fixtures.issue(
            "server", by: "server-ca", commonName: "localhost", sans: "DNS:localhost,IP:127.0.0.1", usage: "serverAuth")
        try await fixtures.makeCA("client-ca", commonName: "ipvs-push test client CA")
        try await fixtures.issue(
            "client", by: "client-ca", commonName: "prometheus",
            sans: "DNS:prometheus.test,URI:spiffe://test/prometheus", usage: "clientAuth")
        try await fixtures.issue(
            "other-client", by: "client-ca", commonName: "intruder", sans: "DNS:intruder.test", usage: "clientAuth")
        try await fixtures.makeCA("stranger-ca", commonName: "somebody else's CA")
        try await fixtures.issue(
            "stranger", by: "stranger-ca", commonName: "prometheus", sans: "DNS:prometheus.test", usage: "clientAuth")
        return fixtures
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A self-signed CA `<name>.crt` with its key `<name>.key` (EC P-256).
    func makeCA(_ name: String, commonName: String) async throws {
        try await openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).crt"), "-days", "3", "-subj", "/CN=\(commonName)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// A certificate `<name>.crt` with key `<name>.key` signed by the CA `<ca>`.
    func issue(_ name: String, by ca: String, commonName: String, sans: String, usage: String) async throws {
        try await openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", path("\(name).key"), "-out", path("\(name).csr"), "-subj", "/CN=\(commonName)",
        ])
        let extensions = "subjectAltName=\(sans)\nextendedKeyUsage=\(usage)\nbasicConstraints=CA:FALSE\n"
        try extensions.write(toFile: path("\(name).ext"), atomically: true, encoding: .utf8)
        try await openssl([
            "x509", "-req", "-in", path("\(name).csr"), "-CA", path("\(ca).crt"), "-CAkey", path("\(ca).key"),
            "-CAcreateserial", "-out", path("\(name).crt"), "-days", "2", "-extfile", path("\(name).ext"),
        ])
    }

    private func openssl(_ arguments: [String]) async throws {
        let result = try await ChildProcess.run("/usr/bin/openssl", arguments)
        guard result.status == 0 else {
            throw TestFailure(
                "openssl \(arguments.joined(separator: " ")) failed: \(String(decoding: result.standardError, as: UTF8.self))"
            )
        }
    }
}

/// bcrypt hashes made by Python's `crypt` module (libxcrypt, as the server uses, but a
/// separate program), as an operator would make them with htpasswd.
enum BcryptFixture {
    /// The hash of `password` at `cost` (4 keeps tests fast; real configurations use 10 or more).
    static func hash(_ password: String, cost: Int = 4) async throws -> String {
        let script = """
            import crypt, sys, warnings
            warnings.simplefilter("ignore")
            password = sys.stdin.read()
            print(crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2 ** \(cost))))
            """
        let result = try await ChildProcess.run("/usr/bin/python3", ["-c", script], stdin: Data(password.utf8))
        let hash = String(decoding: result.standardOutput, as: UTF8.self).trimmingCharacters(
            in: .whitespacesAndNewlines)
        guard result.status == 0, hash.hasPrefix("$2") else {
            throw TestFailure("python3 crypt failed: \(String(decoding: result.standardError, as: UTF8.self))")
        }
        return hash
    }
}
