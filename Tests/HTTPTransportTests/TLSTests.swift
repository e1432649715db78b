import Foundation
import HTTPTransport
import TestSupport
import Testing

/// TLS against `openssl s_server` with a self-signed certificate made for the test.
@Suite(.serialized) struct TLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, in a fresh directory.
    static func makeCertificate() throws -> (certificate: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ipvs-push-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        try run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        return (certificate, key)
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        guard try ChildProcess.runBlocking(executable, arguments).status == 0 else {
            throw TestFailure("\(executable) \(arguments) failed")
        }
    }

    /// `openssl s_server -www` answers a GET with a 200 status page.
    static func startServer(certificate: String, key: String) async throws -> (ChildProcess, Int) {
        let port = FreePort.allocate()
        let process = try ChildProcess(
            "/usr/bin/openssl",
            ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www", "-quiet"])
        for _ in 0..<100 {
            if canConnect(port) { return (process, port) }
            try await Task.sleep(for: .milliseconds(50))
        }
        stop(process)
        throw TestFailure("openssl s_server did not start")
    }

    /// SIGKILL right after the SIGTERM: a child started by Foundation's `Process` may not
    /// react to SIGTERM (it inherits the test runner's signal handling), and the test must
    /// not hang.
    static func stop(_ process: ChildProcess) {
        process.terminate(grace: 0)
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    @Test func verifiesAgainstTheConfiguredCAAndFailsPermanentlyWithoutIt() async throws {
        let (certificate, key) = try Self.makeCertificate()
        let (server, port) = try await Self.startServer(certificate: certificate, key: key)
        defer { Self.stop(server) }
        let url = "https://127.0.0.1:\(port)/"

        let trusting = try makeClient(
            TransportConfiguration(timeout: .seconds(5), tls: TLSConfiguration(caFile: certificate)))
        let response = try await trusting.send(HTTPRequest(method: .get, url: url), retryPolicy: fastRetries())
        #expect(response.status == 200)

        // Verification is on by default: the system store does not know this certificate,
        // and that is not retried.
        let strict = try makeClient()
        do {
            _ = try await strict.send(HTTPRequest(method: .get, url: url), retryPolicy: fastRetries(attempts: 3))
            Issue.record("expected a verification failure")
        } catch {
            guard case .network(let code, _, _) = error else {
                Issue.record("expected a permanent network error, got \(error)")
                return
            }
            #expect(code == 60)  // CURLE_PEER_FAILED_VERIFICATION
            #expect("\(error)".contains(url))
        }

        let insecure = try makeClient(
            TransportConfiguration(timeout: .seconds(5), tls: TLSConfiguration(insecureSkipVerify: true)))
        #expect(try await insecure.execute(HTTPRequest(method: .get, url: url)).status == 200)
    }

    @Test func badCAPathIsAClearStartError() throws {
        #expect {
            _ = try makeClient(TransportConfiguration(tls: TLSConfiguration(caFile: "/nonexistent/ca.pem")))
        } throws: { error in
            guard case .configuration(let message) = error as? HTTPTransportError else { return false }
            return message.contains("TLS CA file /nonexistent/ca.pem") && message.contains("No such file or directory")
        }
        #expect {
            _ = try makeClient(TransportConfiguration(tls: TLSConfiguration(caFile: "/tmp")))
        } throws: { error in
            "\(error)".contains("not a regular file")
        }
        #expect {
            _ = try makeClient(TransportConfiguration(tls: TLSConfiguration(certificateFile: "/etc/hostname")))
        } throws: { error in
            "\(error)".contains("needs its key file")
        }
    }

    @Test func aCAFileThatIsNotPEMFailsWithLibcurlsReason() async throws {
        let garbage = try temporaryFile("not a certificate\n", name: "ca.pem")
        let client = try makeClient(
            TransportConfiguration(timeout: .seconds(3), tls: TLSConfiguration(caFile: garbage)))
        let (certificate, key) = try Self.makeCertificate()
        let (server, port) = try await Self.startServer(certificate: certificate, key: key)
        defer { Self.stop(server) }
        do {
            _ = try await client.send(
                HTTPRequest(method: .get, url: "https://127.0.0.1:\(port)/"), retryPolicy: fastRetries())
            Issue.record("expected a CA error")
        } catch {
            guard case .network(let code, let message, _) = error else {
                Issue.record("expected a permanent network error, got \(error)")
                return
            }
            #expect(code == 77)  // CURLE_SSL_CACERT_BADFILE
            #expect(!message.isEmpty)
        }
    }
}
