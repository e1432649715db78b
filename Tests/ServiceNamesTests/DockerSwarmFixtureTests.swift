import Collector
import TestSupport
import Testing

@testable import ServiceNames

/// Naming against a real Swarm's answers and namespaces (Engine 20.10.24), recorded in the lab.
@Suite struct DockerSwarmFixtureTests {
    static let ingressNetworkID = "fg1zienanuai2jhjommvbqb4a"
    static let appNetworkID = "vjmnpb1i6d017t7zmvoo44ii4"

    /// What each recorded mark must be named: service_1..3 by the ingress, web by `app`'s lb_ namespace.
    static let expected: [String: [UInt32: ServiceName]] = [
        "ingress_sbox": [
            256: ServiceName(name: "service_1", source: .docker, network: "ingress", virtualIP: "10.0.0.3"),
            257: ServiceName(name: "service_2", source: .docker, network: "ingress", virtualIP: "10.0.0.5"),
            258: ServiceName(name: "service_3", source: .docker, network: "ingress", virtualIP: "10.0.0.7"),
        ],
        "lb_vjmnpb1i6": [
            259: ServiceName(name: "web", source: .docker, network: "app", virtualIP: "10.0.1.2")
        ],
    ]

    @Test func decodesTheRealAnswers() throws {
        let inventory = try DockerSwarmFixture.inventory()
        #expect(inventory.services.map(\.name) == ["service_3", "service_2", "service_1", "web"])
        #expect(inventory.services.map(\.stack) == ["", "", "", ""])
        #expect(
            inventory.services.map { $0.endpoint?.ports?.map(\.publishedPort) } == [
                [30002], [30001], [30000], nil,
            ])
        #expect(
            inventory.services.map { $0.endpoint?.virtualIPs?.map(\.networkID) } == [
                [Self.ingressNetworkID], [Self.ingressNetworkID], [Self.ingressNetworkID], [Self.appNetworkID],
            ])
        #expect(
            inventory.networks.map(\.name) == ["ingress", "app", "none", "host", "bridge", "docker_gwbridge"])
        #expect(inventory.networks.map(\.ingress) == [true, false, false, false, false, false])
        #expect(inventory.networks.first?.id == Self.ingressNetworkID)

        let version: DockerVersionAnswer = try DockerInventory.decode(
            Array(try DockerSwarmFixture.text("version.json").utf8), what: "/version")
        #expect(version == DockerVersionAnswer(apiVersion: "1.41", minAPIVersion: "1.12", version: "20.10.24+dfsg1"))
    }

    @Test func namesEveryRecordedMark() throws {
        let inventory = try DockerSwarmFixture.inventory()
        let namespaces = try DockerSwarmFixture.ipvsNamespaces()
        #expect(namespaces.map(\.name) == ["ingress_sbox", "lb_vjmnpb1i6"])
        for namespace in namespaces {
            let snapshot = try DockerSwarmFixture.snapshot(namespace.name, path: namespace.path)
            #expect(snapshot.services.compactMap(\.firewallMark) == namespace.marks)
            #expect(inventory.names(for: snapshot) == Self.expected[namespace.name], "\(namespace.name)")
        }
    }

    @Test func theIngressIsNamedByPublishedPortsAlone() throws {
        // As the collector reads it before mark addresses are known: the ports still tell.
        var snapshot = try DockerSwarmFixture.snapshot(
            "ingress_sbox", path: "/var/run/docker/netns/ingress_sbox")
        #expect(snapshot.markPorts == [256: [30000], 257: [30001], 258: [30002]])
        snapshot.markAddresses = [:]
        #expect(try DockerSwarmFixture.inventory().names(for: snapshot) == Self.expected["ingress_sbox"])
    }

    /// web's rules read in a namespace that is neither the ingress nor an lb_ one (a
    /// container's sandbox name): any network may hold the address, and only web does.
    @Test func anotherNamespaceNamesWebByItsUniqueAddress() throws {
        var snapshot = try DockerSwarmFixture.snapshot("lb_vjmnpb1i6", path: "/var/run/docker/netns/dcd7a7c90ed2")
        #expect(snapshot.markAddresses == [259: ["10.0.1.2"]])
        snapshot.namespace = "/var/run/docker/netns/dcd7a7c90ed2"
        #expect(try DockerSwarmFixture.inventory().names(for: snapshot) == Self.expected["lb_vjmnpb1i6"])
    }

    /// The whole path: the recorded answers served on a Unix socket, read by the client,
    /// cached, and used by the namer on the recorded namespaces.
    @Test func theNamerNamesTheRecordedCollectionFromTheServedAnswers() async throws {
        let server = try DockerEngineClientTests.daemon([
            "/version": .json(try DockerSwarmFixture.text("version.json")),
            "/v1.41/services": .json(try DockerSwarmFixture.text("services.json")),
            "/v1.41/networks": .json(try DockerSwarmFixture.text("networks.json")),
        ])
        defer { server.stop() }
        let capture = LogCapture()
        let docker = try DockerServiceNames(
            host: DockerHost("unix://\(server.socketPath)"), logger: capture.logger(level: .info))
        let namer = ServiceNamer(docker: docker, file: nil)
        await namer.refreshNow()
        var collections = try DockerSwarmFixture.ipvsNamespaces().map { namespace in
            NamespaceCollection(
                namespace: namespace.path,
                result: .success(try DockerSwarmFixture.snapshot(namespace.name, path: namespace.path)),
                durationSeconds: 0)
        }
        namer.name(&collections)
        let named = try collections.map { collection in
            try collection.result.get().services.map { $0.name?.name }
        }
        #expect(named == [["service_1", "service_2", "service_3"], ["web"]])
        #expect(server.requests.map(\.target) == ["/version", "/v1.41/services", "/v1.41/networks"])
        #expect(namesUp(namer).first?.samples.map(\.value) == [1])
        #expect(capture.lines.count == 1)
        #expect(capture.contains(.info, "Naming services from Docker"))
        #expect(capture.contains(.info, "docker.services=4"))
    }
}
