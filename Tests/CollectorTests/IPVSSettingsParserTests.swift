import Testing

@testable import Collector

/// The namespace-wide settings: `IPVS_CMD_GET_CONFIG`'s timeouts, `IPVS_CMD_GET_DAEMON`'s
/// sync daemons (byte for byte as the kernel lays the replies out) and the sysctl files.
@Suite struct IPVSSettingsParserTests {
    func config(_ bytes: [UInt8]) throws -> IPVSTimeouts {
        try bytes.withUnsafeBytes { try IPVSMessageParser.parseConfig($0) }
    }

    func daemon(_ bytes: [UInt8]) throws -> SyncDaemon {
        try bytes.withUnsafeBytes { try IPVSMessageParser.parseDaemon($0) }
    }

    /// A NEW_DAEMON message as Linux 4.7 and later send it: state, interface and SyncID, then
    /// the message size, port, TTL and multicast group.
    static func daemonMessage(state: UInt32, interface: String, syncID: UInt32, newerAttributes: Bool = true) -> [UInt8]
    {
        var attributes = [B.u32(1, state), B.string(2, interface), B.u32(3, syncID)]
        if newerAttributes {
            attributes += [B.u16(4, 1472), B.u16(7, 8848), B.attribute(8, [1]), B.attribute(5, [224, 0, 0, 81])]
        }
        return B.message(command: 9, [B.nest(3, attributes)])
    }

    @Test func timeoutsOfAllThreeProtocols() throws {
        let timeouts = try config(B.message(command: 12, [B.u32(4, 900), B.u32(5, 120), B.u32(6, 300)]))
        #expect(timeouts == IPVSTimeouts(tcp: 900, tcpFin: 120, udp: 300))
        #expect(timeouts.labelled.map(\.protocol) == ["tcp", "tcp_fin", "udp"])
        #expect(timeouts.labelled.map(\.seconds) == [900, 120, 300])
    }

    @Test func aTimeoutTheKernelLeavesOutIsAbsent() throws {
        // A kernel without IPVS's UDP support; an attribute of a newer kernel is skipped.
        let timeouts = try config(B.message(command: 12, [B.u32(5, 60), B.u32(4, 3600), B.u32(42, 7)]))
        #expect(timeouts == IPVSTimeouts(tcp: 3600, tcpFin: 60, udp: nil))
        #expect(timeouts.labelled.map(\.protocol) == ["tcp", "tcp_fin"])
        #expect(try config(B.message(command: 12, [])).labelled.isEmpty)
    }

    @Test func malformedConfigRepliesAreRejected() {
        let cases: [(String, [UInt8])] = [
            ("wrong command", B.message(command: 14, [B.u32(4, 900)])),
            ("timeout of 2 bytes", B.message(command: 12, [B.u16(4, 900)])),
            ("truncated", Array(B.message(command: 12, [B.u32(4, 900), B.u32(5, 120)]).dropLast(3))),
            ("attribute length below its header", B.message(command: 12, [[2, 0, 4, 0]])),
        ]
        for (name, bytes) in cases {
            #expect(throws: NetlinkMessageError.self, "\(name)") { try config(bytes) }
        }
    }

    @Test func masterAndBackupDaemons() throws {
        let master = try daemon(Self.daemonMessage(state: 1, interface: "eth0", syncID: 7))
        #expect(master == SyncDaemon(state: .master, interface: "eth0", syncID: 7))
        // Kernels before 4.7 send the first three attributes only.
        let backup = try daemon(Self.daemonMessage(state: 2, interface: "vb0", syncID: 255, newerAttributes: false))
        #expect(backup == SyncDaemon(state: .backup, interface: "vb0", syncID: 255))
        #expect(SyncDaemon.running([backup, master]) == [master, backup])
        // One of each state: a second master (a damaged or repeated dump) would repeat a series.
        let other = SyncDaemon(state: .master, interface: "eth1", syncID: 8)
        #expect(SyncDaemon.running([master, backup, other, backup]) == [master, backup])
        #expect(SyncDaemon.running([backup]) == [backup])
    }

    @Test func malformedDaemonMessagesAreRejected() {
        let cases: [(String, [UInt8])] = [
            ("unknown state", Self.daemonMessage(state: 3, interface: "eth0", syncID: 1)),
            ("no state", B.message(command: 9, [B.nest(3, [B.string(2, "eth0"), B.u32(3, 1)])])),
            ("no interface", B.message(command: 9, [B.nest(3, [B.u32(1, 1), B.u32(3, 1)])])),
            ("no SyncID", B.message(command: 9, [B.nest(3, [B.u32(1, 1), B.string(2, "eth0")])])),
            ("no daemon nest", B.message(command: 9, [B.u32(1, 1)])),
            ("wrong command", B.message(command: 1, [B.nest(3, [B.u32(1, 1), B.string(2, "eth0"), B.u32(3, 1)])])),
            (
                "state of 1 byte",
                B.message(command: 9, [B.nest(3, [B.attribute(1, [1]), B.string(2, "e"), B.u32(3, 1)])])
            ),
            (
                "nest longer than the message",
                Array(Self.daemonMessage(state: 1, interface: "eth0", syncID: 1).dropLast(8))
            ),
        ]
        for (name, bytes) in cases {
            #expect(throws: NetlinkMessageError.self, "\(name)") { try daemon(bytes) }
        }
    }

    @Test func sysctlFilesAsTheKernelWritesThem() {
        #expect(
            IPVSSysctls.parse(name: "conn_reuse_mode", text: "1\n") == [IPVSSysctl(name: "conn_reuse_mode", value: 1)])
        #expect(IPVSSysctls.parse(name: "est_nice", text: "-5\n") == [IPVSSysctl(name: "est_nice", value: -5)])
        #expect(
            IPVSSysctls.parse(name: "sync_threshold", text: "3\t50\n") == [
                IPVSSysctl(name: "sync_threshold", value: 3), IPVSSysctl(name: "sync_period", value: 50),
            ])
        for (name, text) in [
            ("conn_reuse_mode", ""), ("conn_reuse_mode", "1 2\n"), ("conn_reuse_mode", "yes\n"),
            ("sync_threshold", "3\n"), ("sync_threshold", "3\t50\t7\n"), ("amemthresh", "99999999999999999999\n"),
        ] {
            #expect(IPVSSysctls.parse(name: name, text: text).isEmpty, "\(name): \(text)")
        }
    }

    @Test func everySysctlNameIsAFileName() {
        #expect(IPVSSysctls.names == IPVSSysctls.names.sorted())
        #expect(Set(IPVSSysctls.names).count == IPVSSysctls.names.count)
        for name in IPVSSysctls.names { #expect(name.allSatisfy { $0.isLowercase || $0 == "_" }, "\(name)") }
        for name in [
            "conn_reuse_mode", "expire_nodest_conn", "expire_quiescent_template", "sloppy_tcp", "sloppy_sctp",
            "schedule_icmp", "ignore_tunneled", "run_estimation", "sync_threshold",
        ] {
            #expect(IPVSSysctls.names.contains(name), "\(name) is part of the metric contract")
        }
    }
}
