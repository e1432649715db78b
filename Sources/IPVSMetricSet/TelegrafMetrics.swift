import Collector
import Exposition

/// The metric names and labels Telegraf's `inputs.ipvs` plugin gives through its
/// `outputs.prometheus_client`, for a drop-in replacement: every field a gauge named
/// `<measurement>_<field>` with the help text that output writes for all metrics.
///
/// - `ipvs_virtual_server_<field>`, tags `sched`, `netmask` (the number of one bits in
///   the netmask the kernel reports), `address_family`, and `fwmark` for a firewall-mark
///   service, else `protocol`, `address` and `port`.
/// - `ipvs_real_server_<field>`, tags `address`, `port`, `address_family`, and
///   `virtual_fwmark`, else `virtual_protocol`, `virtual_address` and `virtual_port`.
/// - `host`, the host name, which Telegraf adds to every metric unless `omit_hostname`.
///
/// Telegraf reads the host's namespace only; the series of other namespaces carry a
/// `namespace` label besides. Counters are the kernel's 64-bit ones (Telegraf's library
/// reads the 32-bit copies, which wrap).
enum TelegrafMetrics {
    static let help = "Telegraf collected metric"

    private static let serviceFields = [
        "connections", "pkts_in", "pkts_out", "bytes_in", "bytes_out", "pps_in", "pps_out", "cps",
    ]
    private static let realServerFields =
        ["active_connections", "inactive_connections"] + serviceFields

    static func families(_ collections: [NamespaceCollection], hostName: String = HostName.current())
        -> [MetricFamily]
    {
        var services = serviceFields.map {
            MetricFamily(name: "ipvs_virtual_server_" + $0, type: .gauge, help: help)
        }
        var realServers = realServerFields.map {
            MetricFamily(name: "ipvs_real_server_" + $0, type: .gauge, help: help)
        }
        for collection in collections {
            guard case .success(let snapshot) = collection.result else { continue }
            for service in snapshot.services {
                var identity: [Label] = []
                var virtual: [Label] = []
                if let mark = service.firewallMark, mark > 0 {
                    identity.append(Label("fwmark", String(mark)))
                    virtual.append(Label("virtual_fwmark", String(mark)))
                } else {
                    let protocolName = service.transportProtocol?.name ?? String(service.protocolNumber)
                    let address = service.address?.description ?? ""
                    let port = String(service.port ?? 0)
                    identity += [Label("protocol", protocolName), Label("address", address), Label("port", port)]
                    virtual += [
                        Label("virtual_protocol", protocolName), Label("virtual_address", address),
                        Label("virtual_port", port),
                    ]
                }
                var common = [Label("host", hostName)]
                if !collection.namespace.isEmpty { common.append(Label("namespace", collection.namespace)) }
                let serviceLabels = Labels(
                    common + identity + [
                        Label("sched", service.scheduler), Label("netmask", String(service.netmask.nonzeroBitCount)),
                        Label("address_family", service.family.name),
                    ])
                for (index, value) in values(service.stats).enumerated() {
                    services[index].add(serviceLabels, Double(value))
                }
                for destination in service.destinations {
                    let labels = Labels(
                        common + virtual + [
                            Label("address", destination.address.description), Label("port", String(destination.port)),
                            Label("address_family", destination.address.family.name),
                        ])
                    let connections = [UInt64(destination.activeConnections), UInt64(destination.inactiveConnections)]
                    for (index, value) in (connections + values(destination.stats)).enumerated() {
                        realServers[index].add(labels, Double(value))
                    }
                }
            }
        }
        return (services + realServers).filter { !$0.samples.isEmpty }
    }

    /// The values of `serviceFields`, in their order.
    private static func values(_ stats: IPVSStats) -> [UInt64] {
        [
            stats.connections, stats.incomingPackets, stats.outgoingPackets, stats.incomingBytes, stats.outgoingBytes,
            stats.incomingPacketsPerSecond, stats.outgoingPacketsPerSecond, stats.connectionsPerSecond,
        ]
    }
}
