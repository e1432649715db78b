import Collector
import Exposition
import TestSupport
import Testing

@testable import ServiceNames

@Suite struct ServiceNamerTests {
    static let file = """
        services:
          - name: from-file
            fwmark: 0x100
            namespace: /var/run/docker/netns/ingress_sbox
          - name: director-web
            address: 192.0.2.10
            port: 80
        """

    func collections() -> [NamespaceCollection] {
        let ingress = HandMadeSwarm.snapshot(
            "/var/run/docker/netns/ingress_sbox", marks: [0x100, 0x101], ports: [0x101: [30001]],
            addresses: [0x100: ["10.0.0.5"]])
        var director = HandMadeSwarm.snapshot("/run/netns/director", marks: [0x100])
        director.services.append(
            VirtualService(
                family: .inet, transportProtocol: .tcp, protocolNumber: 6, address: IPAddress("192.0.2.10"), port: 80))
        return [
            NamespaceCollection(namespace: ingress.namespace, result: .success(ingress), durationSeconds: 0),
            NamespaceCollection(namespace: director.namespace, result: .success(director), durationSeconds: 0),
            NamespaceCollection(
                namespace: "/run/netns/gone",
                result: .failure(CollectorError(.namespaceNotFound, namespace: "/run/netns/gone", detail: "ENOENT")),
                durationSeconds: 0),
        ]
    }

    func names(_ collection: NamespaceCollection) -> [ServiceName?] {
        (try? collection.result.get().services.map(\.name)) ?? []
    }

    @Test func fileNamesWinOverDockerNames() async throws {
        let source = ScriptedSource()
        source.answer(.success(try HandMadeSwarm.inventory()))
        let docker = DockerServiceNames(source: source, logger: LogCapture().logger())
        let namer = ServiceNamer(docker: docker, file: try NamesFile.parse(Self.file, file: "names.yml"))
        await namer.refreshNow()
        var collections = collections()
        namer.name(&collections)
        #expect(
            names(collections[0]) == [
                ServiceName(name: "from-file", source: .file),
                ServiceName(name: "metrics", source: .docker, network: "ingress", virtualIP: "10.0.0.7"),
            ])
        // The file's mark entry is for ingress_sbox only; Docker knows nothing of the director.
        #expect(names(collections[1]) == [nil, ServiceName(name: "director-web", source: .file)])
        guard case .failure(let error) = collections[2].result else {
            Issue.record("a failed namespace became a snapshot")
            return
        }
        #expect(error.kind == .namespaceNotFound)
    }

    @Test func replacingTheFileChangesTheNames() throws {
        let namer = ServiceNamer(docker: nil, file: try NamesFile.parse(Self.file, file: "names.yml"))
        namer.replaceFile(
            try NamesFile.parse("services:\n  - name: renamed\n    address: 192.0.2.10\n    port: 80\n", file: "b.yml"))
        var collections = collections()
        namer.name(&collections)
        #expect(names(collections[0]) == [nil, nil])
        #expect(names(collections[1]) == [nil, ServiceName(name: "renamed", source: .file)])
        namer.replaceFile(nil)
        var again = self.collections()
        namer.name(&again)
        #expect(names(again[1]) == [nil, nil])
        #expect(namesUp(namer).isEmpty)
    }

    @Test func selfMetricsHaveASamplePerConfiguredSource() async throws {
        let source = ScriptedSource()
        source.answer(.success(try HandMadeSwarm.inventory()))
        let docker = DockerServiceNames(source: source, logger: LogCapture().logger())
        let namer = ServiceNamer(docker: docker, file: try NamesFile.parse(Self.file, file: "names.yml"))
        let before = try #require(namesUp(namer).first)
        #expect(before.name == "ipvs_names_up")
        #expect(before.type == .gauge)
        #expect(before.help.hasPrefix("Whether a names source gives service names"))
        #expect(
            before.samples == [
                Sample(name: "ipvs_names_up", labels: Labels(["source": "docker"]), value: 0),
                Sample(name: "ipvs_names_up", labels: Labels(["source": "file"]), value: 1),
            ])
        await namer.refreshNow()
        #expect(namesUp(namer).first?.samples.map(\.value) == [1, 1])
        let fileOnly = ServiceNamer(docker: nil, file: try NamesFile.parse(Self.file, file: "names.yml"))
        #expect(namesUp(fileOnly).first?.samples.map(\.labels) == [Labels(["source": "file"])])
        #expect(namesUp(ServiceNamer(docker: nil, file: nil)).isEmpty)
    }
}
