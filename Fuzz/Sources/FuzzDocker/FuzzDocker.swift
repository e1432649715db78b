import Collector
import FuzzSupport
import ServiceNames

/// Docker's Engine API answers (`GET /services` and `GET /networks`, from whatever listens
/// on the Docker socket): the input is the services body, a NUL byte, the networks body.
/// What decodes then names the firewall marks of fixed snapshots of the three kinds of
/// namespace; every name must be that of a service in the answer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDocker(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    var input = FuzzInput(start, count)
    let services = input.part(separatedBy: [0])
    let networks = input.rest()
    let inventory: DockerInventory
    do throws(DockerQueryError) {
        inventory = try DockerInventory(
            apiVersion: DockerAPIVersion(major: 1, minor: 41), servicesJSON: services, networksJSON: networks)
    } catch {
        _ = error.description
        return 0
    }
    for snapshot in snapshots {
        for (mark, name) in inventory.names(for: snapshot) {
            fuzzCheck(snapshot.services.contains { $0.firewallMark == mark }, "a name for mark \(mark), not a service")
            fuzzCheck(name.source == .docker, "a Docker name from \(name.source)")
            fuzzCheck(
                services.count >= name.name.utf8.count, "the name \(name.name) is longer than the answer it came from")
        }
    }
    return 0
}

/// An ingress namespace, an overlay network's load balancer (`lb_` and the start of the
/// network id the seeds use) and a namespace Docker does not make, each with MARK rules
/// by virtual IP and by published port.
private let snapshots: [NamespaceSnapshot] = [
    "/var/run/docker/netns/ingress_sbox", "/var/run/docker/netns/lb_7x1ka9l2m", "/run/netns/other",
].map { namespace in
    NamespaceSnapshot(
        namespace: namespace, info: IPVSInfo(versionCode: 0x010201, connectionTableSize: 4096),
        services: (0x100...0x106).map { VirtualService(family: .inet, firewallMark: UInt32($0), scheduler: "rr") },
        markPorts: [0x100: [30000], 0x101: [30001, 30002], 0x104: [8080]],
        markAddresses: [
            0x100: ["10.0.0.5"], 0x102: ["10.0.1.2"], 0x103: ["10.0.1.4"], 0x104: ["10.0.0.7", "10.0.1.4"],
            0x105: ["10.0.0.2"],
        ])
}
