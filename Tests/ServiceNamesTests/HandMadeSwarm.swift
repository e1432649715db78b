import Collector

@testable import ServiceNames

/// A Swarm written by hand in the shape the Engine API documents (API 1.41), with
/// fields ipvs-push does not read, until answers recorded from a real Swarm replace it:
/// - `ingress` (the routing mesh) and the overlay `web_backend`, plus a local bridge;
/// - `web_frontend` (stack `web`) publishing 30000/tcp, on both networks;
/// - `web_api` (stack `web`) on `web_backend` only;
/// - `metrics` publishing 30001/udp through the mesh and 8080/tcp in host mode;
/// - `resolver`, `mode: dnsrr`: no virtual IPs;
/// - `shadow` on the overlay `other`, whose subnet reuses `web_backend`'s addresses.
enum HandMadeSwarm {
    static let ingressID = "q5rrzcmdzjd0ebdl1v2x3y4z5"
    static let backendID = "7x1ka9l2m3n4o5p6q7r8s9t0u"
    static let otherID = "k2j3h4g5f6d7s8a9p0o1i2u3y"

    static let version = """
        {"Platform":{"Name":"Docker Engine - Community"},"Version":"20.10.24","ApiVersion":"1.41",
         "MinAPIVersion":"1.12","GitCommit":"5d6db84","Os":"linux","Arch":"amd64"}
        """

    static let networks = """
        [
          {"Name":"ingress","Id":"\(ingressID)","Created":"2024-05-01T10:00:00Z","Scope":"swarm",
           "Driver":"overlay","EnableIPv6":false,"IPAM":{"Driver":"default","Config":[{"Subnet":"10.0.0.0/24",
           "Gateway":"10.0.0.1"}]},"Internal":false,"Attachable":false,"Ingress":true,"Containers":null,
           "Options":{"com.docker.network.driver.overlay.vxlanid_list":"4096"},"Labels":{}},
          {"Name":"web_backend","Id":"\(backendID)","Scope":"swarm","Driver":"overlay","Ingress":false,
           "Labels":{"com.docker.stack.namespace":"web"}},
          {"Name":"other","Id":"\(otherID)","Scope":"swarm","Driver":"overlay","Ingress":false},
          {"Name":"bridge","Id":"f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed","Scope":"local",
           "Driver":"bridge"}
        ]
        """

    static let services = """
        [
          {"ID":"frontendid0000000000000001","Version":{"Index":120},"CreatedAt":"2024-05-01T10:01:00Z",
           "Spec":{"Name":"web_frontend","Labels":{"com.docker.stack.namespace":"web",
             "com.docker.stack.image":"nginx:1.25"},"TaskTemplate":{"ContainerSpec":{"Image":"nginx:1.25"}},
             "Mode":{"Replicated":{"Replicas":2}},"EndpointSpec":{"Mode":"vip","Ports":[{"Protocol":"tcp",
             "TargetPort":80,"PublishedPort":30000,"PublishMode":"ingress"}]}},
           "Endpoint":{"Spec":{"Mode":"vip"},"Ports":[{"Protocol":"tcp","TargetPort":80,"PublishedPort":30000,
             "PublishMode":"ingress"}],"VirtualIPs":[{"NetworkID":"\(ingressID)","Addr":"10.0.0.5/24"},
             {"NetworkID":"\(backendID)","Addr":"10.0.1.2/24"}]}},
          {"ID":"apiid000000000000000000002","Spec":{"Name":"web_api","Labels":{"com.docker.stack.namespace":"web"}},
           "Endpoint":{"Spec":{"Mode":"vip"},"VirtualIPs":[{"NetworkID":"\(backendID)","Addr":"10.0.1.4/24"}]}},
          {"ID":"metricsid00000000000000003","Spec":{"Name":"metrics","Labels":{}},
           "Endpoint":{"Ports":[{"Protocol":"udp","TargetPort":9125,"PublishedPort":30001,"PublishMode":"ingress"},
             {"Protocol":"tcp","TargetPort":8080,"PublishedPort":8080,"PublishMode":"host"}],
             "VirtualIPs":[{"NetworkID":"\(ingressID)","Addr":"10.0.0.7/24"}]}},
          {"ID":"resolverid0000000000000004","Spec":{"Name":"resolver"},"Endpoint":{"Spec":{"Mode":"dnsrr"}}},
          {"ID":"shadowid000000000000000005","Spec":{"Name":"shadow"},
           "Endpoint":{"VirtualIPs":[{"NetworkID":"\(otherID)","Addr":"10.0.1.4/24"}]}},
          {"ID":"creatingid0000000000000006"}
        ]
        """

    static func inventory() throws -> DockerInventory {
        try DockerInventory(
            apiVersion: .preferred, servicesJSON: Array(services.utf8), networksJSON: Array(networks.utf8))
    }

    /// A snapshot of `namespace` with one fwmark service per mark and the mangle rules' findings.
    static func snapshot(
        _ namespace: String, marks: [UInt32], ports: [UInt32: [UInt16]] = [:], addresses: [UInt32: [String]] = [:]
    ) -> NamespaceSnapshot {
        NamespaceSnapshot(
            namespace: namespace, info: IPVSInfo(versionCode: 0x10906, connectionTableSize: 4096),
            services: marks.map { VirtualService(family: .inet, firewallMark: $0, scheduler: "rr") },
            markPorts: ports, markAddresses: addresses)
    }
}
