import Exposition

/// Turns namespace collections into metric families: the metric set that `dump`,
/// `serve` and the senders share (the README's metric table documents it).
///
/// Label sets are built once per service and per real server and shared by all their
/// samples, so the cost is a few small allocations per IPVS object, not per sample.
public enum IPVSMetrics {
    public static func families(_ collections: [NamespaceCollection], options: MetricOptions = MetricOptions())
        -> [MetricFamily]
    {
        if options.compatibility == .ingressIPVSExporter {
            return CompatibilityMetrics.families(collections)
        }
        var builder = Builder(options: options)
        for collection in collections { builder.add(collection) }
        return builder.families()
    }

    /// The `port` label of a firewall-mark service: the published ports its mark
    /// stands for, comma-separated; empty when no rule sets the mark.
    static func portLabel(_ service: VirtualService, markPorts: [UInt32: [UInt16]]) -> String {
        if let mark = service.firewallMark {
            return (markPorts[mark] ?? []).map(String.init).joined(separator: ",")
        }
        return service.port.map(String.init) ?? ""
    }

    /// The labels every service series carries.
    static func serviceLabels(_ service: VirtualService, namespace: String, markPorts: [UInt32: [UInt16]]) -> [Label] {
        [
            Label("address", service.address?.description ?? ""),
            Label("family", service.family.name),
            Label("fwmark", service.firewallMark.map(String.init) ?? ""),
            Label("namespace", namespace),
            Label("port", portLabel(service, markPorts: markPorts)),
            Label("protocol", service.transportProtocol?.name ?? (service.firewallMark == nil ? String(service.protocolNumber) : "")),
            Label("scheduler", service.scheduler),
        ]
    }

    private struct Builder {
        let options: MetricOptions
        var up = MetricFamily(name: "ipvs_up", type: .gauge, help: "1 when IPVS in the namespace was read, 0 when reading failed.")
        var services = MetricFamily(name: "ipvs_services", type: .gauge, help: "Number of IPVS virtual services.")
        var tableSize = MetricFamily(
            name: "ipvs_connection_table_size", type: .gauge, help: "Size of the IPVS connection hash table.")
        var info = MetricFamily(name: "ipvs_info", type: .gauge, help: "IPVS version of the kernel, always 1.")
        var duration = MetricFamily(
            name: "ipvs_collect_duration_seconds", type: .gauge, help: "Time taken to read IPVS in the namespace.",
            unit: "seconds")
        var malformed = MetricFamily(
            name: "ipvs_netlink_malformed_messages_total", type: .counter,
            help: "Netlink messages from the kernel skipped because they were malformed or truncated.")

        var serviceCounters: [MetricFamily]
        var serviceRates: [MetricFamily]
        var serviceDestinations = MetricFamily(
            name: "ipvs_service_destinations", type: .gauge, help: "Number of real servers of the virtual service.")
        var serviceInfo = MetricFamily(
            name: "ipvs_service_info", type: .gauge,
            help: "Flags, netmask and persistence engine of the virtual service, always 1.")
        var persistence = MetricFamily(
            name: "ipvs_service_persistence_timeout_seconds", type: .gauge,
            help: "Persistence timeout of a persistent virtual service.", unit: "seconds")

        var destinationGauges: [MetricFamily]
        var destinationCounters: [MetricFamily]
        var destinationRates: [MetricFamily]

        init(options: MetricOptions) {
            self.options = options
            serviceCounters = Self.counterFamilies(prefix: "ipvs_service", of: "the virtual service")
            serviceRates = Self.rateFamilies(prefix: "ipvs_service", of: "the virtual service")
            destinationCounters = Self.counterFamilies(prefix: "ipvs_destination", of: "the real server")
            destinationRates = Self.rateFamilies(prefix: "ipvs_destination", of: "the real server")
            destinationGauges = [
                MetricFamily(name: "ipvs_destination_connections_active", type: .gauge, help: "Active connections to the real server."),
                MetricFamily(name: "ipvs_destination_connections_inactive", type: .gauge, help: "Inactive connections to the real server."),
                MetricFamily(
                    name: "ipvs_destination_connections_persistent", type: .gauge,
                    help: "Persistent connection templates pointing at the real server."),
                MetricFamily(name: "ipvs_destination_weight", type: .gauge, help: "Weight of the real server."),
                MetricFamily(
                    name: "ipvs_destination_upper_threshold", type: .gauge,
                    help: "Upper connection threshold of the real server (0: none)."),
                MetricFamily(
                    name: "ipvs_destination_lower_threshold", type: .gauge,
                    help: "Lower connection threshold of the real server (0: none)."),
            ]
        }

        static func counterFamilies(prefix: String, of object: String) -> [MetricFamily] {
            [
                MetricFamily(name: "\(prefix)_connections_total", type: .counter, help: "Connections scheduled to \(object)."),
                MetricFamily(name: "\(prefix)_incoming_packets_total", type: .counter, help: "Incoming packets of \(object)."),
                MetricFamily(name: "\(prefix)_outgoing_packets_total", type: .counter, help: "Outgoing packets of \(object)."),
                MetricFamily(
                    name: "\(prefix)_incoming_bytes_total", type: .counter, help: "Incoming bytes of \(object).", unit: "bytes"),
                MetricFamily(
                    name: "\(prefix)_outgoing_bytes_total", type: .counter, help: "Outgoing bytes of \(object).", unit: "bytes"),
            ]
        }

        static func rateFamilies(prefix: String, of object: String) -> [MetricFamily] {
            let estimate = "(kernel estimate, refreshed about every 2 s)"
            return [
                MetricFamily(
                    name: "\(prefix)_connections_per_second", type: .gauge, help: "Connection rate of \(object) \(estimate)."),
                MetricFamily(
                    name: "\(prefix)_incoming_packets_per_second", type: .gauge,
                    help: "Incoming packet rate of \(object) \(estimate)."),
                MetricFamily(
                    name: "\(prefix)_outgoing_packets_per_second", type: .gauge,
                    help: "Outgoing packet rate of \(object) \(estimate)."),
                MetricFamily(
                    name: "\(prefix)_incoming_bytes_per_second", type: .gauge,
                    help: "Incoming byte rate of \(object) \(estimate)."),
                MetricFamily(
                    name: "\(prefix)_outgoing_bytes_per_second", type: .gauge,
                    help: "Outgoing byte rate of \(object) \(estimate)."),
            ]
        }

        mutating func add(_ collection: NamespaceCollection) {
            let namespaceLabels = Labels(presorted: [Label("namespace", collection.namespace)])
            duration.add(namespaceLabels, collection.durationSeconds)
            guard case .success(let snapshot) = collection.result else {
                up.add(namespaceLabels, 0)
                return
            }
            up.add(namespaceLabels, 1)
            services.add(namespaceLabels, Double(snapshot.services.count))
            tableSize.add(namespaceLabels, Double(snapshot.info.connectionTableSize))
            info.add(Labels(presorted: [Label("namespace", collection.namespace), Label("version", snapshot.info.version)]), 1)
            malformed.add(namespaceLabels, Double(snapshot.malformedMessages))
            for service in snapshot.services {
                add(service, namespace: collection.namespace, markPorts: snapshot.markPorts)
            }
        }

        mutating func add(_ service: VirtualService, namespace: String, markPorts: [UInt32: [UInt16]]) {
            let base = IPVSMetrics.serviceLabels(service, namespace: namespace, markPorts: markPorts)
            let labels = Labels(presorted: base)
            Self.addCounters(service.stats, labels, into: &serviceCounters)
            if options.includeRates { Self.addRates(service.stats, labels, into: &serviceRates) }
            serviceDestinations.add(labels, Double(service.destinations.count))
            // The label names are fixed, so the sorted order is written out rather than sorted
            // per object (sorting was a fifth of the metric set's cost at 10,000 services).
            serviceInfo.add(
                Self.presorted([
                    base[0], base[1], Label("flags", service.flags.labelValue), base[2], base[3],
                    Label("netmask", service.netmaskLabel), Label("pe", service.persistenceEngine), base[4], base[5],
                    base[6],
                ]), 1)
            if service.flags.contains(.persistent) {
                persistence.add(labels, Double(service.timeout))
            }
            guard options.includeDestinations else { return }
            for destination in service.destinations {
                let destinationLabels = Self.presorted([
                    base[0], Label("destination_address", destination.address.description),
                    Label("destination_port", String(destination.port)), base[1],
                    Label("forwarding", destination.forwarding.name), base[2], base[3], base[4], base[5], base[6],
                ])
                let gauges: [Double] = [
                    Double(destination.activeConnections), Double(destination.inactiveConnections),
                    Double(destination.persistentConnections), Double(destination.weight),
                    Double(destination.upperThreshold), Double(destination.lowerThreshold),
                ]
                for (index, value) in gauges.enumerated() { destinationGauges[index].add(destinationLabels, value) }
                Self.addCounters(destination.stats, destinationLabels, into: &destinationCounters)
                if options.includeRates { Self.addRates(destination.stats, destinationLabels, into: &destinationRates) }
            }
        }

        /// Labels whose order is written out in the code; checked in debug builds.
        static func presorted(_ pairs: [Label]) -> Labels {
            assert(zip(pairs, pairs.dropFirst()).allSatisfy { Labels.bytewiseLess($0.name, $1.name) })
            return Labels(presorted: pairs)
        }

        static func addCounters(_ stats: IPVSStats, _ labels: Labels, into families: inout [MetricFamily]) {
            families[0].add(labels, Double(stats.connections))
            families[1].add(labels, Double(stats.incomingPackets))
            families[2].add(labels, Double(stats.outgoingPackets))
            families[3].add(labels, Double(stats.incomingBytes))
            families[4].add(labels, Double(stats.outgoingBytes))
        }

        static func addRates(_ stats: IPVSStats, _ labels: Labels, into families: inout [MetricFamily]) {
            families[0].add(labels, Double(stats.connectionsPerSecond))
            families[1].add(labels, Double(stats.incomingPacketsPerSecond))
            families[2].add(labels, Double(stats.outgoingPacketsPerSecond))
            families[3].add(labels, Double(stats.incomingBytesPerSecond))
            families[4].add(labels, Double(stats.outgoingBytesPerSecond))
        }

        func families() -> [MetricFamily] {
            var all = [up, services, tableSize, info, duration, malformed]
            all += serviceCounters + [serviceDestinations, serviceInfo, persistence]
            if options.includeRates { all += serviceRates }
            if options.includeDestinations {
                all += destinationGauges + destinationCounters
                if options.includeRates { all += destinationRates }
            }
            return all.filter { !$0.samples.isEmpty }
        }
    }
}
