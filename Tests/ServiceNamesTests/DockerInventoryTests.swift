import Collector
import Testing

@testable import ServiceNames

@Suite struct DockerInventoryTests {
    @Test func decodesTheFieldsItNeedsAndIgnoresTheRest() throws {
        let inventory = try HandMadeSwarm.inventory()
        #expect(inventory.serviceCount == 6)
        #expect(inventory.networkCount == 4)
        let frontend = try #require(inventory.services.first)
        #expect(frontend.id == "frontendid0000000000000001")
        #expect(frontend.name == "web_frontend")
        #expect(frontend.stack == "web")
        #expect(
            frontend.endpoint?.ports == [
                .init(transportProtocol: "tcp", targetPort: 80, publishedPort: 30000, publishMode: "ingress")
            ])
        #expect(frontend.endpoint?.virtualIPs?.map(\.address) == ["10.0.0.5/24", "10.0.1.2/24"])
        // Missing Spec, Endpoint and Labels decode as nil rather than failing the answer.
        let creating = try #require(inventory.services.last)
        #expect(creating.name == nil)
        #expect(creating.stack == "")
        #expect(inventory.networks.map(\.ingress) == [true, false, false, nil])
        #expect(inventory.networks.map(\.driver) == ["overlay", "overlay", "overlay", "bridge"])
    }

    @Test func namesIngressMarksByVirtualIPThenByPublishedPort() throws {
        let snapshot = HandMadeSwarm.snapshot(
            "/var/run/docker/netns/ingress_sbox", marks: [0x100, 0x101, 0x102],
            ports: [0x100: [30000], 0x101: [30001], 0x102: [31999]],
            addresses: [0x100: ["10.0.0.5"], 0x102: ["10.0.0.99"]])
        let names = try HandMadeSwarm.inventory().names(for: snapshot)
        #expect(
            names == [
                0x100: ServiceName(
                    name: "web_frontend", source: .docker, stack: "web", network: "ingress", virtualIP: "10.0.0.5"),
                // No address rule: the published port tells, and the VIP is the service's ingress one.
                0x101: ServiceName(name: "metrics", source: .docker, network: "ingress", virtualIP: "10.0.0.7"),
            ])
    }

    @Test func ingressMatchesOnlyIngressAddressesAndMeshPorts() throws {
        // 10.0.1.2 is web_frontend's VIP on web_backend, not on ingress; 8080 is published in host mode.
        let snapshot = HandMadeSwarm.snapshot(
            "/var/run/docker/netns/ingress_sbox", marks: [0x100, 0x101],
            ports: [0x101: [8080]], addresses: [0x100: ["10.0.1.2"]])
        #expect(try HandMadeSwarm.inventory().names(for: snapshot).isEmpty)
    }

    @Test func namesLoadBalancerMarksInTheirOverlayNetwork() throws {
        let snapshot = HandMadeSwarm.snapshot(
            "/var/run/docker/netns/lb_7x1ka9l2m", marks: [0x103, 0x104, 0x105],
            addresses: [0x103: ["10.0.1.2"], 0x104: ["10.0.1.4"], 0x105: ["10.0.0.5"]])
        let names = try HandMadeSwarm.inventory().names(for: snapshot)
        #expect(
            names == [
                0x103: ServiceName(
                    name: "web_frontend", source: .docker, stack: "web", network: "web_backend",
                    virtualIP: "10.0.1.2"),
                // 10.0.1.4 is shadow's VIP on "other" too; this namespace is web_backend's.
                0x104: ServiceName(
                    name: "web_api", source: .docker, stack: "web", network: "web_backend", virtualIP: "10.0.1.4"),
            ])
        let other = HandMadeSwarm.snapshot(
            "/var/run/docker/netns/lb_k2j3h4g5f", marks: [0x200], addresses: [0x200: ["10.0.1.4"]])
        #expect(
            try HandMadeSwarm.inventory().names(for: other) == [
                0x200: ServiceName(name: "shadow", source: .docker, network: "other", virtualIP: "10.0.1.4")
            ])
    }

    @Test func anUnknownNetworkPrefixNamesNothing() throws {
        let snapshot = HandMadeSwarm.snapshot(
            "/var/run/docker/netns/lb_zzzzzzzzz", marks: [0x103], addresses: [0x103: ["10.0.1.2"]])
        #expect(try HandMadeSwarm.inventory().names(for: snapshot).isEmpty)
    }

    @Test func otherNamespacesUseAnAddressOnlyWhenOneServiceHasIt() throws {
        let snapshot = HandMadeSwarm.snapshot(
            "/var/run/docker/netns/1a2b3c4d5e6f", marks: [1, 2, 3],
            addresses: [1: ["10.0.1.2"], 2: ["10.0.1.4"], 3: ["192.0.2.1"]])
        let names = try HandMadeSwarm.inventory().names(for: snapshot)
        // 10.0.1.4 belongs to web_api and to shadow: ambiguous, so unnamed.
        #expect(
            names == [
                1: ServiceName(
                    name: "web_frontend", source: .docker, stack: "web", network: "web_backend",
                    virtualIP: "10.0.1.2")
            ])
    }

    @Test func anAnswerThatIsNotTheDocumentedJSONSaysWhereAndWhat() throws {
        let wrongShape = #expect(throws: DockerQueryError.self) {
            _ = try DockerInventory(
                apiVersion: .preferred, servicesJSON: Array(#"{"message":"x"}"#.utf8), networksJSON: Array("[]".utf8))
        }
        guard case .badAnswer(let path, let reason) = try #require(wrongShape) else {
            Issue.record("not a badAnswer: \(String(describing: wrongShape))")
            return
        }
        #expect(path == "/v1.41/services")
        #expect(reason.hasPrefix("expected Array"))

        let notJSON = #expect(throws: DockerQueryError.self) {
            _ = try DockerInventory(
                apiVersion: DockerAPIVersion(major: 1, minor: 44), servicesJSON: Array("[]".utf8),
                networksJSON: Array("<html>".utf8))
        }
        guard case .badAnswer(let path, let reason) = try #require(notJSON) else {
            Issue.record("not a badAnswer: \(String(describing: notJSON))")
            return
        }
        #expect(path == "/v1.44/networks")
        #expect(reason.hasPrefix("not JSON"))
        #expect(
            "\(try #require(notJSON))".hasPrefix(
                "Docker's answer to GET /v1.44/networks is not what ipvs-push reads: not JSON"))
    }

    @Test func theAPIVersionIs141UnlessTheDaemonDoesNotSpeakIt() {
        #expect(DockerAPIVersion.negotiate(minimum: DockerAPIVersion("1.12")) == DockerAPIVersion(major: 1, minor: 41))
        #expect(DockerAPIVersion.negotiate(minimum: DockerAPIVersion("1.24")).pathPrefix == "/v1.41")
        #expect(DockerAPIVersion.negotiate(minimum: DockerAPIVersion("1.41")).pathPrefix == "/v1.41")
        #expect(DockerAPIVersion.negotiate(minimum: DockerAPIVersion("1.44")).pathPrefix == "/v1.44")
        #expect(DockerAPIVersion.negotiate(minimum: DockerAPIVersion("2.0")).pathPrefix == "/v2.0")
        #expect(DockerAPIVersion.negotiate(minimum: nil).pathPrefix == "/v1.41")
        #expect(DockerAPIVersion.negotiate(minimum: nil, maximum: DockerAPIVersion("1.52")).pathPrefix == "/v1.41")
        // Docker 19.03 speaks 1.40 at most.
        #expect(
            DockerAPIVersion.negotiate(minimum: DockerAPIVersion("1.12"), maximum: DockerAPIVersion("1.40"))
                .pathPrefix == "/v1.40")
        #expect(DockerAPIVersion("1.4.1") == nil)
        #expect(DockerAPIVersion("v1.41") == nil)
        #expect(DockerAPIVersion("1.9")! < DockerAPIVersion("1.10")!)
    }
}
