import Collector
import Exposition
import NIOConcurrencyHelpers

/// Names the virtual services of each collection: the agent's one entry point to the
/// names sources.
///
/// - A names-file entry names the service it matches, in any namespace or the one it
///   gives; file names win over Docker's.
/// - Docker names firewall-mark services only (Swarm's services are marks), from the
///   answer ``DockerServiceNames`` has at hand; naming never waits for Docker.
/// - A service neither knows keeps `name == nil`. Namespaces that could not be read are
///   left alone. Nothing here throws into a collection.
public final class ServiceNamer: Sendable {
    public let docker: DockerServiceNames?
    private let currentFile: NIOLockedValueBox<NamesFile?>

    public init(docker: DockerServiceNames?, file: NamesFile?) {
        self.docker = docker
        currentFile = NIOLockedValueBox(file)
    }

    /// The names file in use.
    public var file: NamesFile? { currentFile.withLockedValue { $0 } }

    /// Swaps in a newly read names file (on SIGHUP), or nil to stop using one.
    public func replaceFile(_ file: NamesFile?) {
        currentFile.withLockedValue { $0 = file }
    }

    /// Sets ``VirtualService/name`` on every service of `collections` a source can name,
    /// then starts a background Docker read if one is due (see ``DockerServiceNames``).
    public func name(_ collections: inout [NamespaceCollection]) {
        let file = self.file
        let inventory = docker?.inventory()
        var unnamedDockerMark = false
        for index in collections.indices {
            guard case .success(var snapshot) = collections[index].result else { continue }
            // Leaves the snapshot the only owner of its services, which are then changed in place.
            collections[index].result = .failure(CollectorError(.failure, namespace: "", detail: ""))
            let isDockerNamespace = DockerNamespaceKind(namespacePath: snapshot.namespace).isDocker
            let dockerNames = inventory?.names(for: snapshot) ?? [:]
            for serviceIndex in snapshot.services.indices {
                let service = snapshot.services[serviceIndex]
                if let name = file?.name(of: service, namespace: snapshot.namespace) {
                    snapshot.services[serviceIndex].name = name
                } else if let mark = service.firewallMark {
                    if let name = dockerNames[mark] {
                        snapshot.services[serviceIndex].name = name
                    } else if isDockerNamespace {
                        unnamedDockerMark = true
                    }
                }
            }
            collections[index].result = .success(snapshot)
        }
        docker?.refreshIfDue(unnamedDockerMark: unnamedDockerMark)
    }

    /// Reads Docker now and waits for the answer (nothing without Docker): for one-shot
    /// commands such as `dump`, which name a single collection.
    public func refreshNow() async {
        await docker?.refreshNow()
    }

    /// Whether each configured source gives names (`ipvs_names_up{source}`): Docker while
    /// its last read succeeded (false until the first one does), a names file while one is
    /// loaded. Sources that are not configured have no entry.
    public func sourcesUp() -> [ServiceName.Source: Bool] {
        var up: [ServiceName.Source: Bool] = [:]
        if let docker { up[.docker] = docker.isUp }
        if file != nil { up[.file] = true }
        return up
    }
}
