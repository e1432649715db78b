import Exposition
import IPVSFixtures
import Namespaces
import Testing

@testable import Collector
@testable import IPVSMetricSet

@Suite struct IPVSMetricsTests {
    func value(_ families: [MetricFamily], _ name: String, _ labels: [String: String]) -> Double? {
        families.first { $0.name == name }?.samples.first { sample in
            labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }

    @Test func metricSetCarriesTheContractLabelsAndValues() {
        let families = IPVSMetrics.families(IPVSFixtures.collections)
        let ns = "/var/run/docker/netns/ingress_sbox"
        #expect(value(families, "ipvs_up", ["namespace": ""]) == 0)
        #expect(value(families, "ipvs_up", ["namespace": ns]) == 1)
        #expect(value(families, "ipvs_collect_duration_seconds", ["namespace": ""]) == 0.5)
        #expect(value(families, "ipvs_services", ["namespace": ns]) == 2)
        #expect(value(families, "ipvs_connection_table_size", ["namespace": ns]) == 4096)
        #expect(value(families, "ipvs_info", ["namespace": ns, "version": "1.2.1"]) == 1)
        let web = [
            "namespace": ns, "family": "inet", "protocol": "tcp", "address": "10.0.0.1", "port": "80", "fwmark": "",
            "scheduler": "rr",
        ]
        #expect(value(families, "ipvs_service_connections_total", web) == 7)
        #expect(value(families, "ipvs_service_incoming_bytes_total", web) == 1000)
        #expect(value(families, "ipvs_service_incoming_bytes_per_second", web) == 50)
        #expect(value(families, "ipvs_service_destinations", web) == 1)
        #expect(
            value(
                families, "ipvs_service_info",
                web.merging(["flags": "hashed", "netmask": "255.255.255.255", "pe": ""]) { $1 }) == 1)
        let ingress = ["namespace": ns, "protocol": "", "address": "", "port": "30000", "fwmark": "260"]
        #expect(value(families, "ipvs_service_persistence_timeout_seconds", ingress) == 60)
        #expect(value(families, "ipvs_service_persistence_timeout_seconds", web) == nil)
        let destination = web.merging([
            "destination_address": "172.16.0.1", "destination_port": "8080", "forwarding": "masq",
        ]) { $1 }
        #expect(value(families, "ipvs_destination_weight", destination) == 2)
        #expect(value(families, "ipvs_destination_connections_inactive", destination) == 2)
        #expect(value(families, "ipvs_destination_outgoing_bytes_total", destination) == 2000)
        // Every service sample carries exactly the seven service labels.
        for sample in families.first(where: { $0.name == "ipvs_service_connections_total" })!.samples {
            #expect(
                sample.labels.map(\.name) == [
                    "address", "family", "fwmark", "namespace", "port", "protocol", "scheduler",
                ])
        }
    }

    @Test func cardinalityFlagsDropDestinationsAndRates() {
        let families = IPVSMetrics.families(
            IPVSFixtures.collections, options: MetricOptions(includeDestinations: false, includeRates: false))
        let names = Set(families.map(\.name))
        #expect(!names.contains { $0.hasPrefix("ipvs_destination_") })
        #expect(!names.contains { $0.hasSuffix("_per_second") })
        #expect(names.contains("ipvs_service_destinations"))
    }

    @Test func ingressIPVSExporterCompatibility() {
        let families = IPVSMetrics.families(
            IPVSFixtures.collections, options: MetricOptions(compatibility: .ingressIPVSExporter))
        let ns = "/var/run/docker/netns/ingress_sbox"
        #expect(
            Set(families.map(\.name)) == [
                "ipvs_up", "ipvs_services_total", "ipvs_connections_total", "ipvs_bytes_in_total",
                "ipvs_bytes_out_total",
                "ipvs_destination_total", "ipvs_destination_active_connections_total",
                "ipvs_destination_inactive_connections_total", "ipvs_destination_bytes_in_total",
                "ipvs_destination_bytes_out_total", "ipvs_destination_connections_total",
            ])
        #expect(value(families, "ipvs_services_total", ["namespace": ns]) == 2)
        #expect(
            value(
                families, "ipvs_connections_total",
                ["namespace": ns, "fwmark": "0", "port": "80", "address": "10.0.0.1"]) == 7)
        #expect(
            value(
                families, "ipvs_destination_total", ["namespace": ns, "fwmark": "260", "port": "30000", "address": ""])
                == 1)
        #expect(
            value(families, "ipvs_destination_active_connections_total", ["fwmark": "0", "address": "172.16.0.1"]) == 1)
    }

    /// Telegraf's `inputs.ipvs` through `outputs.prometheus_client`: gauges named
    /// measurement_field, its tags, fwmark services told apart by `fwmark` alone.
    @Test func telegrafCompatibility() {
        let families = TelegrafMetrics.families(IPVSFixtures.collections, hostName: "lb-1")
        let ns = "/var/run/docker/netns/ingress_sbox"
        let fields = ["connections", "pkts_in", "pkts_out", "bytes_in", "bytes_out", "pps_in", "pps_out", "cps"]
        #expect(
            Set(families.map(\.name))
                == Set(
                    fields.map { "ipvs_virtual_server_" + $0 }
                        + (["active_connections", "inactive_connections"] + fields).map { "ipvs_real_server_" + $0 }))
        #expect(families.allSatisfy { $0.type == .gauge && $0.help == "Telegraf collected metric" })
        let web = [
            "host": "lb-1", "namespace": ns, "protocol": "tcp", "address": "10.0.0.1", "port": "80", "sched": "rr",
            "netmask": "32", "address_family": "inet",
        ]
        #expect(value(families, "ipvs_virtual_server_connections", web) == 7)
        #expect(value(families, "ipvs_virtual_server_bytes_in", web) == 1000)
        let webSample = families.first { $0.name == "ipvs_virtual_server_connections" }!.samples.first {
            $0.labels["address"] == "10.0.0.1"
        }!
        #expect(Set(webSample.labels.map(\.name)) == Set(web.keys))
        let mark = families.first { $0.name == "ipvs_virtual_server_connections" }!.samples.first {
            $0.labels["fwmark"] == "260"
        }!
        #expect(mark.labels["protocol"] == nil && mark.labels["address"] == nil && mark.labels["port"] == nil)
        let real = [
            "virtual_protocol": "tcp", "virtual_address": "10.0.0.1", "virtual_port": "80", "address": "172.16.0.1",
            "port": "8080", "address_family": "inet",
        ]
        #expect(value(families, "ipvs_real_server_inactive_connections", real) == 2)
        #expect(value(families, "ipvs_real_server_bytes_out", real) == 2000)
        // The host namespace has no `namespace` label (Telegraf reads only it).
        let hostOnly = [
            NamespaceCollection(namespace: "", result: .success(IPVSFixtures.snapshot()), durationSeconds: 0.1)
        ]
        #expect(
            TelegrafMetrics.families(hostOnly, hostName: "lb-1").allSatisfy { family in
                family.samples.allSatisfy { $0.labels["namespace"] == nil }
            })
    }

    @Test func renderedOutputIsStable() {
        let first = ExpositionRenderer.render(IPVSMetrics.families(IPVSFixtures.collections), format: .prometheus)
        let second = ExpositionRenderer.render(IPVSMetrics.families(IPVSFixtures.collections), format: .prometheus)
        #expect(first == second)
        #expect(!first.isEmpty)
    }
}

@Suite struct ModelTests {
    @Test func addressesPrintCanonically() {
        #expect(IPAddress("2001:0db8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("10.0.0.1")?.description == "10.0.0.1")
        #expect(IPAddress("::ffff:10.0.0.1")?.description == "::ffff:10.0.0.1")
        #expect(IPAddress("nonsense") == nil)
    }

    @Test func flagsLabelKeepsAFixedOrder() {
        #expect(ServiceFlags([.shPort, .persistent, .onePacket]).labelValue == "persistent,one-packet,sh-port")
        #expect(ServiceFlags(rawValue: 0x40 | 0x8).labelValue == "sh-fallback,0x40")
        #expect(ServiceFlags([]).labelValue == "")
    }

    @Test func errorsSayWhatToDo() {
        #expect("\(CollectorError(.ipvsUnavailable, namespace: "", detail: "d"))".contains("modprobe ip_vs"))
        #expect("\(CollectorError(.permissionDenied, namespace: "/x", detail: "d"))".contains("CAP_NET_ADMIN"))
        #expect("\(CollectorError(.namespaceEntryDenied, namespace: "/x", detail: "d"))".contains("CAP_SYS_ADMIN"))
        #expect("\(CollectorError(.namespaceNotFound, namespace: "/x", detail: "d"))".contains("/x"))
    }
}

@Suite struct IPv4TextTests {
    @Test(arguments: ["0.0.0.0", "10.0.0.1", "172.16.254.3", "255.255.255.255", "1.20.255.9"])
    func dottedQuadRoundTrips(_ text: String) {
        #expect(IPAddress(text)?.description == text)
    }
}

extension IPVSMetricsTests {
    @Test func namespaceSettingsHaveASeriesEach() throws {
        let families = IPVSMetrics.families(IPVSFixtures.collections)
        let ns = "/var/run/docker/netns/ingress_sbox"
        #expect(value(families, "ipvs_timeout_seconds", ["namespace": ns, "protocol": "tcp"]) == 900)
        #expect(value(families, "ipvs_timeout_seconds", ["namespace": ns, "protocol": "tcp_fin"]) == 120)
        #expect(value(families, "ipvs_timeout_seconds", ["namespace": ns, "protocol": "udp"]) == 300)
        let daemons = try #require(families.first { $0.name == "ipvs_sync_daemon_info" })
        #expect(
            daemons.samples.map { $0.labels.pairs.map { "\($0.name)=\($0.value)" } } == [
                ["interface=eth0", "namespace=\(ns)", "state=master", "sync_id=7"],
                ["interface=eth1", "namespace=\(ns)", "state=backup", "sync_id=9"],
            ])
        #expect(daemons.samples.allSatisfy { $0.value == 1 })
        #expect(value(families, "ipvs_sysctl", ["namespace": ns, "name": "conn_reuse_mode"]) == 0)
        #expect(value(families, "ipvs_sysctl", ["namespace": ns, "name": "sync_threshold"]) == 3)
        #expect(value(families, "ipvs_sysctl", ["namespace": ns, "name": "sync_period"]) == 50)
        // The failed namespace has none of them.
        for name in ["ipvs_timeout_seconds", "ipvs_sync_daemon_info", "ipvs_sysctl"] {
            let samples = families.first { $0.name == name }?.samples ?? []
            #expect(samples.count > 0 && !samples.contains { $0.labels["namespace"] == "" }, "\(name)")
        }

        // No daemon running, no settings read: no family at all.
        var bare = IPVSFixtures.snapshot()
        bare.syncDaemons = []
        bare.timeouts = nil
        bare.sysctls = []
        let names = Set(
            IPVSMetrics.families([NamespaceCollection(namespace: ns, result: .success(bare), durationSeconds: 0)])
                .map(\.name))
        #expect(names.isDisjoint(with: ["ipvs_timeout_seconds", "ipvs_sync_daemon_info", "ipvs_sysctl"]))
    }

    @Test func namedServicesGetANameInfoSeriesAndOptionallyALabel() throws {
        var snapshot = IPVSFixtures.snapshot()
        snapshot.services[1].name = ServiceName(
            name: "shop_web", source: .docker, stack: "shop", network: "ingress", virtualIP: "10.0.0.5")
        let collection = IPVSCollection(
            namespaces: [
                NamespaceCollection(namespace: snapshot.namespace, result: .success(snapshot), durationSeconds: 0)
            ],
            discovery: NamespaceDiscovery(withServices: 1, empty: 3), namesUp: [.docker: true, .file: false])

        let families = IPVSMetrics.families(collection)
        let info = try #require(families.first { $0.name == "ipvs_service_name_info" })
        #expect(info.samples.count == 1)
        #expect(
            info.samples[0].labels.pairs.map { "\($0.name)=\($0.value)" } == [
                "address=", "family=inet", "fwmark=260", "name=shop_web",
                "namespace=/var/run/docker/netns/ingress_sbox",
                "network=ingress", "port=30000", "protocol=", "source=docker", "stack=shop", "virtual_ip=10.0.0.5",
            ])
        #expect(value(families, "ipvs_names_up", ["source": "docker"]) == 1)
        #expect(value(families, "ipvs_names_up", ["source": "file"]) == 0)
        #expect(value(families, "ipvs_namespaces", ["state": "with_services"]) == 1)
        #expect(value(families, "ipvs_namespaces", ["state": "empty"]) == 3)
        #expect(value(families, "ipvs_namespaces", ["state": "failed"]) == 0)
        // Without the option the name is on the info series only.
        #expect(!families.contains { $0.samples.contains { $0.labels["service_name"] != nil } })

        let labelled = IPVSMetrics.families(collection, options: MetricOptions(nameLabel: true))
        for family in labelled
        where family.name != "ipvs_service_name_info"
            && (family.name.hasPrefix("ipvs_service_") || family.name.hasPrefix("ipvs_destination_"))
        {
            for sample in family.samples where sample.labels["fwmark"] == "260" {
                #expect(sample.labels["service_name"] == "shop_web", "\(family.name)")
            }
            for sample in family.samples where sample.labels["fwmark"] == "" {
                #expect(sample.labels["service_name"] == nil, "\(family.name)")
            }
        }
    }
}
