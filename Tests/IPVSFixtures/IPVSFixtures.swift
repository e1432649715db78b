import Collector

/// The IPVS readings the tests of Collector and of the metric set share: a namespace with
/// a TCP service and a Docker-like firewall-mark service, and `/proc/net/ip_vs_conn` text
/// that reaches both.
public enum IPVSFixtures {
    /// One namespace: a TCP service with a real server, and firewall mark 260 (published on
    /// 30000) with one; its timeouts, sync daemons and sysctls.
    public static func snapshot() -> NamespaceSnapshot {
        var stats = IPVSStats()
        stats.connections = 7
        stats.incomingBytes = 1000
        stats.outgoingBytes = 2000
        stats.incomingBytesPerSecond = 50
        let web = VirtualService(
            family: .inet, transportProtocol: .tcp, protocolNumber: 6, address: IPAddress("10.0.0.1"), port: 80,
            scheduler: "rr", flags: [.hashed], netmask: 0xffff_ffff, stats: stats,
            destinations: [
                RealServer(
                    address: IPAddress("172.16.0.1")!, port: 8080, forwarding: .masquerade, weight: 2,
                    activeConnections: 1, inactiveConnections: 2, stats: stats)
            ])
        let ingress = VirtualService(
            family: .inet, firewallMark: 260, scheduler: "rr", flags: [.persistent, .hashed], timeout: 60,
            netmask: 0xffff_ffff,
            destinations: [RealServer(address: IPAddress("10.255.0.5")!, port: 0, weight: 1)])
        return NamespaceSnapshot(
            namespace: "/var/run/docker/netns/ingress_sbox",
            info: IPVSInfo(versionCode: 0x010201, connectionTableSize: 4096),
            services: [web, ingress], markPorts: [260: [30000]],
            timeouts: IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300),
            syncDaemons: [
                SyncDaemon(state: .master, interface: "eth0", syncID: 7),
                SyncDaemon(state: .backup, interface: "eth1", syncID: 9),
            ],
            sysctls: [
                IPVSSysctl(name: "conn_reuse_mode", value: 0), IPVSSysctl(name: "sync_period", value: 50),
                IPVSSysctl(name: "sync_threshold", value: 3),
            ])
    }

    /// The agent's own namespace without IPVS, and ``snapshot()`` in Docker's ingress namespace.
    public static let collections = [
        NamespaceCollection(
            namespace: "", result: .failure(CollectorError(.ipvsUnavailable, namespace: "", detail: "x")),
            durationSeconds: 0.5),
        NamespaceCollection(
            namespace: "/var/run/docker/netns/ingress_sbox", result: .success(snapshot()), durationSeconds: 0.25),
    ]

    /// `/proc/net/ip_vs_conn` as the kernel writes it (`ip_vs_conn_seq_show`); lines taken
    /// from the lab's integration boot.
    public static let connectionTable = """
        Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
        TCP 0A000001 D442 0A000001 0050 AC100001 1F90 TIME_WAIT       106
        TCP 0A000001 D4C6 0A000001 0050 AC100001 1F90 ESTABLISHED     886
        TCP 0A000001 D4C8 0A000001 0050 AC100001 1F90 ESTABLISHED     890
        TCP 0A000001 D4CA 0A000001 0050 AC100009 1F90 ESTABLISHED     890
        TCP 0AFF0001 89F0 0AFF0002 7530 0AFF0005 1F90 ESTABLISHED     886
        IP  0A000000 0000 00000104 0000 0AFF0005 0000 NONE             59
        TCP 2001:0db8:0000:0000:0000:0000:0000:0001 D266 2001:0db8:0000:0000:0000:0000:0000:0001 0050 fd00:0000:0000:0000:0000:0000:0000:0009 1F90 TIME_WAIT       106
        UDP 0A000001 A01E 0A000063 0035 0A090909 14E9 UDP             286 sip 1234@example
        SCTP 0A000004 D9D0 0A000004 0F1C 0A090909 0F1C INIT             47

        """

    /// `text` counted as the kernel hands it over, in reads of `chunk` bytes.
    public static func count(_ text: String, chunk: Int = 65536) -> ConnectionTableCounter {
        var counter = ConnectionTableCounter()
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            let end = min(start + chunk, bytes.count)
            bytes[start..<end].withUnsafeBytes { counter.feed($0) }
            start = end
        }
        counter.finish()
        return counter
    }

    /// ``snapshot()`` with the mark service's real server at weight 0 (its entries orphaned).
    public static func connectionSnapshot() -> NamespaceSnapshot {
        var snapshot = Self.snapshot()
        snapshot.services[1].destinations[0].weight = 0
        return snapshot
    }
}
