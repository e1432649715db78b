import Collector
import Foundation

/// Docker's Swarm services and networks as one refresh read them, indexed to name the
/// firewall marks of Docker's namespaces.
///
/// A mark is named by the service whose virtual IP its mangle rules match
/// (`-d 10.0.1.2/32 -j MARK --set-xmark 0x101`), in the network the namespace belongs to:
/// - `ingress_sbox`: the ingress network; failing an address, by a published port
///   (`--dport 30000`) of a service publishing in ingress mode;
/// - `lb_<network id prefix>`: the overlay network whose id starts with that prefix;
/// - any other namespace: any network, when exactly one service has that address.
///
/// A mark that two services could claim stays unnamed rather than take a guess.
public struct DockerInventory: Sendable {
    /// The API version the answers were read with (chosen from `/version`'s answer).
    public let apiVersion: DockerAPIVersion
    let services: [DockerServiceAnswer]
    let networks: [DockerNetworkAnswer]
    /// Indexes into `networks` of the ingress network (one on a Swarm node).
    private let ingressNetworks: [Int]
    /// A virtual IP without its prefix length → (service index, network index) holding it.
    private let virtualIPs: [String: [(service: Int, network: Int)]]
    /// A port published in ingress mode → the services publishing it.
    private let publishedPorts: [UInt16: [Int]]

    public var serviceCount: Int { services.count }
    public var networkCount: Int { networks.count }

    init(apiVersion: DockerAPIVersion, services: [DockerServiceAnswer], networks: [DockerNetworkAnswer]) {
        self.apiVersion = apiVersion
        self.services = services
        self.networks = networks
        ingressNetworks = networks.indices.filter { networks[$0].ingress == true }
        var networkIndex: [String: Int] = [:]
        for (index, network) in networks.enumerated() {
            if let id = network.id { networkIndex[id] = index }
        }
        var virtualIPs: [String: [(service: Int, network: Int)]] = [:]
        var publishedPorts: [UInt16: [Int]] = [:]
        for (serviceIndex, service) in services.enumerated() where service.name != nil {
            for vip in service.endpoint?.virtualIPs ?? [] {
                guard let id = vip.networkID, let network = networkIndex[id], let address = vip.address else {
                    continue
                }
                virtualIPs[Self.withoutPrefixLength(address), default: []].append((serviceIndex, network))
            }
            for port in service.endpoint?.ports ?? [] where (port.publishMode ?? "ingress") == "ingress" {
                guard let published = port.publishedPort.flatMap(UInt16.init(exactly:)), published != 0 else {
                    continue
                }
                publishedPorts[published, default: []].append(serviceIndex)
            }
        }
        self.virtualIPs = virtualIPs
        self.publishedPorts = publishedPorts
    }

    /// Decodes the bodies of `GET /vX/services` and `GET /vX/networks`.
    public init(apiVersion: DockerAPIVersion, servicesJSON: [UInt8], networksJSON: [UInt8]) throws(DockerQueryError) {
        let services: [DockerServiceAnswer] = try Self.decode(servicesJSON, what: "\(apiVersion.pathPrefix)/services")
        let networks: [DockerNetworkAnswer] = try Self.decode(networksJSON, what: "\(apiVersion.pathPrefix)/networks")
        self.init(apiVersion: apiVersion, services: services, networks: networks)
    }

    /// The names of the firewall-mark services of `snapshot`, by mark; marks no service
    /// can be told for are absent.
    public func names(for snapshot: NamespaceSnapshot) -> [UInt32: ServiceName] {
        let kind = DockerNamespaceKind(namespacePath: snapshot.namespace)
        let scope: Set<Int>?
        switch kind {
        case .ingress:
            scope = Set(ingressNetworks)
        case .loadBalancer(let prefix):
            scope = Set(networks.indices.filter { networks[$0].id?.hasPrefix(prefix) == true })
        case .other:
            scope = nil
        }
        if scope?.isEmpty == true { return [:] }
        var names: [UInt32: ServiceName] = [:]
        for service in snapshot.services {
            guard let mark = service.firewallMark, names[mark] == nil else { continue }
            let addresses = snapshot.markAddresses[mark] ?? []
            if let name = nameByAddress(addresses, in: scope) {
                names[mark] = name
            } else if kind == .ingress, let name = nameByPublishedPort(snapshot.markPorts[mark] ?? []) {
                names[mark] = name
            }
        }
        return names
    }

    /// The one service holding one of `addresses` as its virtual IP in a network of
    /// `scope` (any network when nil).
    private func nameByAddress(_ addresses: [String], in scope: Set<Int>?) -> ServiceName? {
        var found: (service: Int, network: Int, address: String)? = nil
        for address in addresses {
            for owner in virtualIPs[address] ?? [] where scope?.contains(owner.network) ?? true {
                if let found, found.service != owner.service { return nil }
                if found == nil { found = (owner.service, owner.network, address) }
            }
        }
        guard let found else { return nil }
        return serviceName(found.service, network: found.network, virtualIP: found.address)
    }

    /// The one service publishing one of `ports` through the routing mesh.
    private func nameByPublishedPort(_ ports: [UInt16]) -> ServiceName? {
        let candidates = Set(ports.flatMap { publishedPorts[$0] ?? [] })
        guard candidates.count == 1, let service = candidates.first else { return nil }
        let ingress = ingressNetworks.first
        let vip = services[service].endpoint?.virtualIPs?.first { vip in
            ingress.map { vip.networkID == networks[$0].id } ?? false
        }
        return serviceName(
            service, network: ingress, virtualIP: vip?.address.map(Self.withoutPrefixLength) ?? "")
    }

    private func serviceName(_ service: Int, network: Int?, virtualIP: String) -> ServiceName {
        let answer = services[service]
        return ServiceName(
            name: answer.name ?? "", source: .docker, stack: answer.stack,
            network: network.flatMap { networks[$0].name } ?? "", virtualIP: virtualIP)
    }

    /// `10.0.1.2/24` → `10.0.1.2`.
    static func withoutPrefixLength(_ address: String) -> String {
        address.firstIndex(of: "/").map { String(address[..<$0]) } ?? address
    }

    /// Decodes one answer; a body that is not the documented JSON becomes a
    /// ``DockerQueryError`` naming the path and the first thing wrong.
    static func decode<T: Decodable>(_ body: [UInt8], what path: String) throws(DockerQueryError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw .badAnswer(path: path, reason: Self.describe(error))
        } catch {
            throw .badAnswer(path: path, reason: "\(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        }
        switch error {
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.localizedDescription
            return "not JSON\(at(context.codingPath))" + (underlying.map { ": \($0)" } ?? "")
        case .typeMismatch(let type, let context):
            return "expected \(type)\(at(context.codingPath))"
        case .valueNotFound(let type, let context):
            return "missing \(type)\(at(context.codingPath))"
        case .keyNotFound(let key, let context):
            return "missing \"\(key.stringValue)\"\(at(context.codingPath))"
        @unknown default:
            return "\(error)"
        }
    }
}
