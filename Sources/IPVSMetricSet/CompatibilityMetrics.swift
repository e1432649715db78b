import Collector
import Exposition

/// The metric names and labels of cirocosta/ingress_ipvs_exporter, for a drop-in
/// replacement: `namespace`, `fwmark`, `port` on service series, plus `address` (the
/// virtual address on service series, empty for firewall-mark services; the real
/// server's address on destination series, as that exporter sets it).
///
/// Like that exporter, a service without a firewall mark has `fwmark="0"`; the port
/// of a firewall-mark service comes from the namespace's mangle MARK rules.
enum CompatibilityMetrics {
    static func families(_ collections: [NamespaceCollection]) -> [MetricFamily] {
        var up = MetricFamily(
            name: "ipvs_up", type: .gauge, help: "1 when IPVS in the namespace was read, 0 when reading failed.")
        var services = MetricFamily(
            name: "ipvs_services_total", type: .gauge, help: "The total number of services registered in ipvs")
        var connections = MetricFamily(
            name: "ipvs_connections_total", type: .counter,
            help: "The total number of connections made to a virtual server")
        var bytesIn = MetricFamily(
            name: "ipvs_bytes_in_total", type: .counter, help: "The total number of incoming bytes a virtual server")
        var bytesOut = MetricFamily(
            name: "ipvs_bytes_out_total", type: .counter,
            help: "The total number of outgoing bytes from a virtual server")
        var destinations = MetricFamily(
            name: "ipvs_destination_total", type: .gauge,
            help: "The total number of real servers that are destinations to the service")
        var active = MetricFamily(
            name: "ipvs_destination_active_connections_total", type: .gauge,
            help: "The total number of connections established to a destination server")
        var inactive = MetricFamily(
            name: "ipvs_destination_inactive_connections_total", type: .gauge,
            help: "The total number of connections inactive but established to a destination server")
        var destinationBytesIn = MetricFamily(
            name: "ipvs_destination_bytes_in_total", type: .counter,
            help: "The total number of incoming bytes to a real server")
        var destinationBytesOut = MetricFamily(
            name: "ipvs_destination_bytes_out_total", type: .counter,
            help: "The total number of outgoing bytes to a real server")
        var destinationConnections = MetricFamily(
            name: "ipvs_destination_connections_total", type: .counter,
            help: "The total number connections ever established to a destination")

        for collection in collections {
            let namespaceLabels = Labels(presorted: [Label("namespace", collection.namespace)])
            guard case .success(let snapshot) = collection.result else {
                up.add(namespaceLabels, 0)
                continue
            }
            up.add(namespaceLabels, 1)
            services.add(namespaceLabels, Double(snapshot.services.count))
            for service in snapshot.services {
                let fwmark = String(service.firewallMark ?? 0)
                let port = IPVSMetrics.portLabel(service, markPorts: snapshot.markPorts)
                let labels = Labels([
                    Label("address", service.address?.description ?? ""), Label("fwmark", fwmark),
                    Label("namespace", collection.namespace), Label("port", port),
                ])
                connections.add(labels, Double(service.stats.connections))
                bytesIn.add(labels, Double(service.stats.incomingBytes))
                bytesOut.add(labels, Double(service.stats.outgoingBytes))
                destinations.add(labels, Double(service.destinations.count))
                for destination in service.destinations {
                    let destinationLabels = Labels([
                        Label("address", destination.address.description), Label("fwmark", fwmark),
                        Label("namespace", collection.namespace), Label("port", port),
                    ])
                    active.add(destinationLabels, Double(destination.activeConnections))
                    inactive.add(destinationLabels, Double(destination.inactiveConnections))
                    destinationBytesIn.add(destinationLabels, Double(destination.stats.incomingBytes))
                    destinationBytesOut.add(destinationLabels, Double(destination.stats.outgoingBytes))
                    destinationConnections.add(destinationLabels, Double(destination.stats.connections))
                }
            }
        }
        return [
            up, services, connections, bytesIn, bytesOut, destinations, active, inactive, destinationBytesIn,
            destinationBytesOut, destinationConnections,
        ].filter { !$0.samples.isEmpty }
    }
}
