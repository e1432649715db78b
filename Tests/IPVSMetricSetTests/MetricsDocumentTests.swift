import Exposition
import IPVSFixtures
import Testing

@testable import Collector
@testable import IPVSMetricSet

/// IPVSMetrics.document writes exactly what rendering IPVSMetrics.families writes, in
/// pieces of any size, for every kind of service, real server and namespace outcome.
@Suite struct MetricsDocumentTests {
    /// Deterministic pseudo-random numbers (SplitMix64).
    struct Numbers {
        var state: UInt64
        mutating func next(_ bound: UInt64) -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (z ^ (z >> 31)) % bound
        }
    }

    static func stats(_ numbers: inout Numbers) -> IPVSStats {
        var stats = IPVSStats()
        stats.connections = numbers.next(10_000_000)
        stats.incomingPackets = numbers.next(1 << 40)
        stats.outgoingPackets = numbers.next(3)
        stats.incomingBytes = numbers.next(1 << 62)
        stats.outgoingBytes = numbers.next(10_000_000_000_000)
        stats.connectionsPerSecond = numbers.next(200)
        stats.incomingBytesPerSecond = numbers.next(20_000_000)
        return stats
    }

    /// IPv4 and IPv6 services, firewall marks with and without published ports, an
    /// unknown protocol number, persistence, every forwarding method, ports 0 and 65535.
    static func snapshot(namespace: String, services count: Int, seed: UInt64) -> NamespaceSnapshot {
        var numbers = Numbers(state: seed)
        var services: [VirtualService] = []
        for index in 0..<count {
            let kind = index % 5
            var destinations: [RealServer] = []
            for server in 0..<Int(numbers.next(4)) {
                let v6 = kind == 1 && server % 2 == 0
                destinations.append(
                    RealServer(
                        address: v6
                            ? IPAddress("2001:db8::\(index):\(server)")!
                            : IPAddress("172.\(16 + index % 16).\(server).\(index % 256)")!,
                        port: [0, 80, 8080, 65535][server % 4],
                        forwarding: [.masquerade, .localNode, .tunnel, .directRoute, .bypass][Int(numbers.next(5))],
                        weight: Int32(numbers.next(100)) - 1, upperThreshold: UInt32(numbers.next(3)),
                        lowerThreshold: UInt32(numbers.next(2)), activeConnections: UInt32(numbers.next(500)),
                        inactiveConnections: UInt32(numbers.next(5000)), persistentConnections: UInt32(numbers.next(9)),
                        stats: stats(&numbers)))
            }
            destinations.sort(by: RealServer.isOrderedBefore)
            let service: VirtualService
            switch kind {
            case 1:
                service = VirtualService(
                    family: .inet6, transportProtocol: .udp, protocolNumber: 17,
                    address: IPAddress("2001:db8:\(index)::1"), port: 53, scheduler: "wlc", flags: [.hashed],
                    netmask: 128, stats: stats(&numbers), destinations: destinations)
            case 2:
                service = VirtualService(
                    family: .inet, firewallMark: UInt32(index + 1), scheduler: "sh",
                    flags: [.persistent, .hashed, .shPort], timeout: 300, netmask: 0xffff_ff00,
                    persistenceEngine: "sip",
                    stats: stats(&numbers), destinations: destinations)
            case 3:
                service = VirtualService(
                    family: .inet, transportProtocol: nil, protocolNumber: 99,
                    address: IPAddress("10.9.\(index / 256).\(index % 256)"),
                    port: 65535, scheduler: "rr", stats: stats(&numbers), destinations: destinations)
            default:
                service = VirtualService(
                    family: .inet, transportProtocol: .tcp, protocolNumber: 6,
                    address: IPAddress("10.0.\(index / 256).\(index % 256)"), port: 80, scheduler: "rr",
                    flags: index % 7 == 0 ? [.persistent] : [], timeout: 60, netmask: 0xffff_ffff,
                    stats: stats(&numbers), destinations: destinations)
            }
            var named = service
            // Names from both sources on some services, one with characters that need escaping.
            if index % 3 == 0 {
                named.name =
                    service.firewallMark == nil
                    ? ServiceName(name: index % 2 == 0 ? "web-\(index)" : "odd \"name\"\\\n\(index)", source: .file)
                    : ServiceName(
                        name: "stack_web\(index)", source: .docker, stack: index % 2 == 0 ? "stack" : "",
                        network: "ingress", virtualIP: "10.0.0.\(index % 250)")
            }
            services.append(named)
        }
        services.sort(by: VirtualService.isOrderedBefore)
        var markPorts: [UInt32: [UInt16]] = [:]
        for index in stride(from: 2, to: count, by: 10) { markPorts[UInt32(index + 1)] = [80, 443] }
        return NamespaceSnapshot(
            namespace: namespace, info: IPVSInfo(versionCode: 0x010201, connectionTableSize: 4096), services: services,
            markPorts: markPorts, timeouts: timeouts(seed: seed), syncDaemons: syncDaemons(seed: seed),
            sysctls: sysctls(seed: seed), connections: connections(services, seed: seed), malformedMessages: 3,
            durationSeconds: 0.125)
    }

    /// Connection table counts (not read for one seed in three): entries of real servers and of
    /// real servers gone, and entries without a service (IPv4, IPv6, a mark template).
    static func connections(_ services: [VirtualService], seed: UInt64) -> [ConnectionEntries]? {
        guard seed % 3 != 2 else { return nil }
        func key(_ destination: IPAddress, _ port: UInt16, _ state: String, virtual: (UInt16, String, UInt16)? = nil)
            -> ConnectionEntryKey
        {
            ConnectionEntryKey(
                protocolNumber: virtual?.0 ?? 0, virtualAddress: IPAddress(virtual?.1 ?? "0.0.0.0")!,
                virtualPort: virtual?.2 ?? 0, destinationAddress: destination, destinationPort: port, state: state)
        }
        var entries: [ConnectionEntries] = []
        for (index, service) in services.enumerated() where index % 2 == 0 {
            for destination in service.destinations.prefix(2) {
                entries.append(
                    ConnectionEntries(
                        serviceIndex: index, key: key(destination.address, destination.port, "ESTABLISHED"),
                        orphaned: destination.weight == 0, count: index + 1))
            }
            entries.append(
                ConnectionEntries(
                    serviceIndex: index, key: key(IPAddress("192.0.2.\(index % 250)")!, 80, "FIN_WAIT"), orphaned: true,
                    count: 1))
        }
        entries += [
            ConnectionEntries(
                serviceIndex: nil,
                key: key(IPAddress("192.0.2.1")!, 8443, "TIME_WAIT", virtual: (6, "198.51.100.1", 443)),
                orphaned: true, count: 12),
            ConnectionEntries(
                serviceIndex: nil, key: key(IPAddress("2001:db8::7")!, 0, "NONE", virtual: (0, "0.0.1.4", 0)),
                orphaned: true, count: 1),
            ConnectionEntries(
                serviceIndex: nil, key: key(IPAddress("10.1.1.1")!, 7, "ERR!", virtual: (99, "2001:db8::1", 7)),
                orphaned: true, count: 3),
        ]
        return entries
    }

    /// Every timeout, some (as a kernel without UDP support sends), none.
    static func timeouts(seed: UInt64) -> IPVSTimeouts? {
        [IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300), IPVSTimeouts(tcp: 7200, tcpFin: 30), nil][Int(seed % 3)]
    }

    /// Both daemons, a master alone, none.
    static func syncDaemons(seed: UInt64) -> [SyncDaemon] {
        [
            [
                SyncDaemon(state: .master, interface: "eth0", syncID: 0),
                SyncDaemon(state: .backup, interface: "br-1", syncID: 255),
            ],
            [SyncDaemon(state: .master, interface: "bond0.12", syncID: 42)], [],
        ][Int(seed % 3)]
    }

    /// Sysctls with negative, large and two-number values, or none.
    static func sysctls(seed: UInt64) -> [IPVSSysctl] {
        guard seed % 3 != 0 else { return [] }
        return [
            IPVSSysctl(name: "amemthresh", value: 1024), IPVSSysctl(name: "conn_reuse_mode", value: Int64(seed % 2)),
            IPVSSysctl(name: "est_nice", value: -20), IPVSSysctl(name: "sync_period", value: 50),
            IPVSSysctl(name: "sync_qlen_max", value: 1 << 40), IPVSSysctl(name: "sync_threshold", value: 3),
        ]
    }

    static func collections() -> [NamespaceCollection] {
        let odd = "/run/netns/odd \"quoted\" back\\slash\nnewline"
        return [
            NamespaceCollection(
                namespace: "", result: .success(snapshot(namespace: "", services: 120, seed: 1)), durationSeconds: 0.25),
            NamespaceCollection(
                namespace: "/run/netns/down",
                result: .failure(CollectorError(.ipvsUnavailable, namespace: "/run/netns/down", detail: "no IPVS")),
                durationSeconds: 0.001),
            NamespaceCollection(
                namespace: odd, result: .success(snapshot(namespace: odd, services: 37, seed: 2)), durationSeconds: 1.5),
            NamespaceCollection(
                namespace: "/run/netns/empty",
                result: .success(snapshot(namespace: "/run/netns/empty", services: 0, seed: 3)),
                durationSeconds: 0),
        ]
    }

    static func pieces(_ document: any ExpositionDocument, limit: Int) -> [UInt8] {
        var document = document
        var all: [UInt8] = []
        while !document.isComplete {
            var piece: [UInt8] = []
            document.render(into: &piece, upTo: limit)
            #expect(piece.isEmpty || piece.last == UInt8(ascii: "\n"))
            all += piece
        }
        return all
    }

    static let optionSets = [
        MetricOptions(), MetricOptions(includeDestinations: false), MetricOptions(includeRates: false),
        MetricOptions(includeDestinations: false, includeRates: false),
        MetricOptions(compatibility: .ingressIPVSExporter),
        MetricOptions(compatibility: .telegraf),
        MetricOptions(nameLabel: true), MetricOptions(includeRates: false, nameLabel: true),
    ]

    @Test(arguments: ExpositionFormat.allCases, optionSets)
    func documentIsTheRenderedFamilies(format: ExpositionFormat, options: MetricOptions) {
        let collections = Self.collections()
        let expected = ExpositionRenderer.render(IPVSMetrics.families(collections, options: options), format: format)
        for limit in [1, 333, 64 * 1024, 1 << 30] {
            let rendered = Self.pieces(
                IPVSMetrics.document(collections, options: options, format: format), limit: limit)
            #expect(rendered == expected, "limit \(limit): \(Self.firstDifference(rendered, expected))")
        }
    }

    @Test(arguments: ExpositionFormat.allCases, optionSets)
    func extraFamiliesMergeInNameOrder(format: ExpositionFormat, options: MetricOptions) {
        // Before, between and after the metric set's names, one without samples.
        var first = MetricFamily(name: "aaa_first", type: .counter, help: "First.")
        first.add(Labels(["code": "200"]), 3)
        var middle = MetricFamily(name: "ipvs_push_scrape_requests_total", type: .counter, help: "Requests.")
        middle.add(Labels(["code": "200"]), 7)
        middle.add(Labels(["code": "503"]), 0)
        let empty = MetricFamily(name: "ipvs_push_empty", type: .gauge, help: "Nothing yet.")
        var last = MetricFamily(name: "zzz_last", type: .untyped, help: "Last.")
        last.add(.empty, 1)
        let extra = [last, middle, empty, first]
        let collections = Self.collections()
        let expected = ExpositionRenderer.render(
            IPVSMetrics.families(collections, options: options) + extra, format: format)
        for limit in [1, 4096] {
            let rendered = Self.pieces(
                IPVSMetrics.document(collections, options: options, format: format, extra: extra), limit: limit)
            #expect(rendered == expected, "limit \(limit): \(Self.firstDifference(rendered, expected))")
        }
    }

    @Test(arguments: ExpositionFormat.allCases)
    func edgeCases(format: ExpositionFormat) {
        // Nothing at all; only failed namespaces; services without real servers.
        let failed = NamespaceCollection(
            namespace: "", result: .failure(CollectorError(.permissionDenied, namespace: "", detail: "x")),
            durationSeconds: 0.5)
        var noServers = Self.snapshot(namespace: "", services: 6, seed: 9)
        for index in noServers.services.indices { noServers.services[index].destinations = [] }
        let cases: [[NamespaceCollection]] = [
            [], [failed], [NamespaceCollection(namespace: "", result: .success(noServers), durationSeconds: 0.1)],
        ]
        for collections in cases {
            let expected = ExpositionRenderer.render(IPVSMetrics.families(collections), format: format)
            #expect(Self.pieces(IPVSMetrics.document(collections, format: format), limit: 50) == expected)
        }
    }

    @Test func addressTextIsTheDescription() {
        for text in ["0.0.0.0", "1.2.3.4", "10.100.200.255", "255.255.255.255", "2001:db8::1", "::", "::ffff:10.0.0.1"]
        {
            let address = IPAddress(text)!
            var bytes: [UInt8] = []
            address.appendText(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == text)
            #expect(address.description == text)
        }
        let line = LineAssembler(capacity: 8)
        for text in ["0.0.0.0", "10.100.200.255", "2001:db8:1234:5678:9abc:def0:1234:5678"] {
            var cursor = line.start(room: 64)
            cursor.address(IPAddress(text)!)
            var bytes: [UInt8] = []
            line.finish(cursor, into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == text)
        }
        for number: UInt64 in [0, 1, 9, 10, 99, 100, 8080, 10000, 65535, 1 << 53, .max] {
            var cursor = line.start(room: 32)
            cursor.decimal(number)
            var bytes: [UInt8] = []
            line.finish(cursor, into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == String(number))
        }
        for value in [0, 1, 12345, 9_007_199_254_740_991.0] {
            var cursor = line.start(room: 32)
            let written = cursor.integralValueLine(value)
            #expect(written)
            var bytes: [UInt8] = []
            line.finish(cursor, into: &bytes)
            var expected: [UInt8] = [UInt8(ascii: " ")]
            ExpositionRenderer.appendValue(value, into: &expected)
            #expect(bytes == expected + [UInt8(ascii: "\n")])
        }
        for value in [-0.0, -1, 0.5, .nan, .infinity, 9_007_199_254_740_992] {
            var cursor = line.start(room: 32)
            let written = cursor.integralValueLine(value)
            #expect(!written)
        }
    }

    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
        let index = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        let from = max(0, index - 80)
        return
            "at \(index) of \(a.count)/\(b.count): got …\(String(decoding: a[from..<min(a.count, index + 80)], as: UTF8.self))… "
            + "expected …\(String(decoding: b[from..<min(b.count, index + 80)], as: UTF8.self))…"
    }
}
