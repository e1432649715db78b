import Foundation
import TestSupport
import Testing

@testable import ServiceNames

#if canImport(Glibc)
    import Glibc
#endif

/// The Engine API client over a Unix socket, against a small scripted server: for the
/// faults a real daemon cannot be made to produce (the real one is tested in the lab).
@Suite struct DockerEngineClientTests {
    static let swarm: [String: ScriptedHTTPAction] = [
        "/version": .json(HandMadeSwarm.version),
        "/v1.41/services": .json(HandMadeSwarm.services),
        "/v1.41/networks": .json(HandMadeSwarm.networks),
    ]

    /// A daemon on a Unix socket answering each path from `answers`, 404 for others.
    static func daemon(_ answers: [String: ScriptedHTTPAction]) throws -> ScriptedHTTPServer {
        try ScriptedHTTPServer(unixSocketNamed: "docker.sock") { _, request in
            answers[request.target] ?? .json(#"{"message":"page not found"}"#, status: 404)
        }
    }

    func client(_ server: ScriptedHTTPServer, timeout: Duration = .seconds(2)) throws -> DockerEngineClient {
        try DockerEngineClient(
            host: DockerHost("unix://\(server.socketPath)"), timeout: timeout, logger: LogCapture().logger())
    }

    @Test func readsServicesAndNetworksAskingTheVersionOncePerConnection() async throws {
        let server = try Self.daemon(Self.swarm)
        defer { server.stop() }
        let client = try client(server)
        let inventory = try await client.fetch()
        #expect(inventory.apiVersion == DockerAPIVersion(major: 1, minor: 41))
        #expect(inventory.serviceCount == 6)
        #expect(inventory.networkCount == 4)
        _ = try await client.fetch()
        #expect(
            server.requests.map(\.target) == [
                "/version", "/v1.41/services", "/v1.41/networks", "/v1.41/services", "/v1.41/networks",
            ])
        #expect(client.location == "unix://\(server.socketPath)")
    }

    @Test func speaksTheDaemonsMinimumWhenItNoLongerAccepts141() async throws {
        var answers = Self.swarm
        answers["/version"] = .json(#"{"Version":"29.0.0","ApiVersion":"1.52","MinAPIVersion":"1.44"}"#)
        answers["/v1.44/services"] = answers["/v1.41/services"]
        answers["/v1.44/networks"] = answers["/v1.41/networks"]
        answers["/v1.41/services"] = .json(
            #"{"message":"client version 1.41 is too old. Minimum supported API version is 1.44"}"#, status: 400)
        let server = try Self.daemon(answers)
        defer { server.stop() }
        let inventory = try await client(server).fetch()
        #expect(inventory.apiVersion.pathPrefix == "/v1.44")
        #expect(inventory.serviceCount == 6)
        #expect(server.requests.map(\.target) == ["/version", "/v1.44/services", "/v1.44/networks"])
    }

    @Test func anErrorStatusCarriesDockersMessageAndTheVersionIsAskedAgain() async throws {
        var answers = Self.swarm
        answers["/v1.41/services"] = .json(#"{"message":"rpc error: code = Unknown"}"#, status: 500)
        let server = try Self.daemon(answers)
        defer { server.stop() }
        let client = try client(server)
        for _ in 0..<2 {
            await #expect(
                throws: DockerQueryError.status(
                    path: "/v1.41/services", status: 500, message: "rpc error: code = Unknown")
            ) { try await client.fetch() }
        }
        #expect(server.requests.map(\.target) == ["/version", "/v1.41/services", "/version", "/v1.41/services"])
        #expect(
            "\(DockerQueryError.status(path: "/v1.41/services", status: 500, message: "rpc error"))"
                == "Docker answered GET /v1.41/services with HTTP 500: rpc error")
    }

    @Test func garbageIsABadAnswerNamingThePath() async throws {
        var answers = Self.swarm
        answers["/v1.41/networks"] = .json("[{\"Name\": \"ingress\", ")
        let server = try Self.daemon(answers)
        defer { server.stop() }
        let error = await #expect(throws: DockerQueryError.self) { try await client(server).fetch() }
        guard case .badAnswer(let path, let reason) = try #require(error) else {
            Issue.record("not a badAnswer: \(String(describing: error))")
            return
        }
        #expect(path == "/v1.41/networks")
        #expect(reason.hasPrefix("not JSON"))
    }

    @Test func aHangingDaemonTimesOut() async throws {
        var answers = Self.swarm
        answers["/v1.41/services"] = .hang(seconds: 5)
        let server = try Self.daemon(answers)
        defer { server.stop() }
        // The typed timeout (not an answer after the 5 s hang) shows the request's limit held;
        // no wall-clock bound, which a loaded machine would break.
        await #expect(
            throws: DockerQueryError.timeout(socket: server.socketPath, path: "/v1.41/services", seconds: 0.3)
        ) {
            try await client(server, timeout: .milliseconds(300)).fetch()
        }
        #expect(
            "\(DockerQueryError.timeout(socket: "/s", path: "/v1.41/services", seconds: 2))"
                == "Docker at /s did not answer GET /v1.41/services within 2 s; the daemon is hanging or overloaded")
    }

    @Test func aMissingSocketSaysSo() async throws {
        let server = try Self.daemon(Self.swarm)
        let client = try client(server)
        server.stop()
        await #expect(throws: DockerQueryError.socketMissing(socket: server.socketPath)) { try await client.fetch() }
    }

    @Test func aSocketNobodyListensOnIsUnreachable() async throws {
        let path = "/tmp/ipvs-names-stale-\(getpid()).sock"
        try bindWithoutListening(path)
        defer { unlink(path) }
        let client = try DockerEngineClient(host: DockerHost("unix://\(path)"), logger: LogCapture().logger())
        let error = await #expect(throws: DockerQueryError.self) { try await client.fetch() }
        guard case .unreachable(let socket, _) = try #require(error) else {
            Issue.record("not unreachable: \(String(describing: error))")
            return
        }
        #expect(socket == path)
        #expect("\(try #require(error))".hasPrefix("cannot talk to Docker at \(path): "))
    }

    @Test func theHostMustBeAUnixSocket() throws {
        #expect(throws: DockerHostError.unsupportedScheme(url: "tcp://127.0.0.1:2375")) {
            try DockerHost("tcp://127.0.0.1:2375")
        }
        #expect(throws: DockerHostError.unsupportedScheme(url: "/var/run/docker.sock")) {
            try DockerHost("/var/run/docker.sock")
        }
        #expect(throws: DockerHostError.emptyPath(url: "unix://")) { try DockerHost("unix://") }
        #expect(throws: DockerHostError.relativePath(url: "unix://docker.sock")) {
            try DockerHost("unix://docker.sock")
        }
        #expect(
            throws: DockerHostError.unusableSocket(
                url: "unix:///nonexistent/docker.sock", reason: "No such file or directory", missing: true)
        ) {
            try DockerHost("unix:///nonexistent/docker.sock")
        }
        #expect(throws: DockerHostError.notASocket(url: "unix:///etc/hostname")) {
            try DockerHost("unix:///etc/hostname")
        }
        #expect(
            "\(DockerHostError.unsupportedScheme(url: "tcp://h:2375"))"
                == "--docker-host tcp://h:2375: only unix:// URLs are supported (Docker's Engine API socket); "
                + "give e.g. unix:///var/run/docker.sock")
        #expect(
            "\(DockerHostError.unusableSocket(url: "unix:///x", reason: "No such file or directory", missing: true))"
                == "--docker-host unix:///x: the socket does not exist; is Docker running on this host? "
                + "(in a container, mount the host's /var/run/docker.sock)")

        let server = try Self.daemon(Self.swarm)
        defer { server.stop() }
        let host = try DockerHost("unix://\(server.socketPath)")
        #expect(host.socketPath == server.socketPath)
        #expect(host.description == "unix://\(server.socketPath)")
    }

    /// Leaves a socket file behind with nothing listening: what a stopped daemon leaves.
    private func bindWithoutListening(_ path: String) throws {
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
        try #require(bound)
    }
}
