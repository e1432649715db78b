import Testing

@testable import Collector

typealias B = NetlinkMessageBuilder

@Suite struct IPVSMessageParserTests {
    static func tcpService(stats: [[UInt8]]) -> [UInt8] {
        B.message(
            command: 1,
            [
                B.nest(
                    1,
                    [
                        B.u16(1, 2),  // AF_INET
                        B.u16(2, 6),  // TCP
                        B.attribute(3, [10, 1, 2, 3] + [UInt8](repeating: 0, count: 12)),
                        B.be16(4, 8080),
                        B.string(6, "wlc"),
                        B.attribute(7, B.le32(0x3) + B.le32(0xffff_ffff)),
                        B.u32(8, 300),
                        B.attribute(9, [255, 255, 255, 0]),
                        B.string(11, ""),
                    ] + stats)
            ])
    }

    func parse(_ bytes: [UInt8]) throws -> VirtualService {
        try bytes.withUnsafeBytes { try IPVSMessageParser.parseService($0) }
    }

    @Test func tcpServiceWithStats64() throws {
        let service = try parse(Self.tcpService(stats: [B.stats(12, base: 1 << 33, wide: true)]))
        #expect(service.family == .inet)
        #expect(service.transportProtocol == .tcp)
        #expect(service.address?.description == "10.1.2.3")
        #expect(service.port == 8080)
        #expect(service.firewallMark == nil)
        #expect(service.scheduler == "wlc")
        #expect(service.flags == [.persistent, .hashed])
        #expect(service.flags.labelValue == "persistent,hashed")
        #expect(service.timeout == 300)
        #expect(service.netmaskLabel == "255.255.255.0")
        #expect(service.stats.connections == 1 << 33)
        #expect(service.stats.outgoingBytesPerSecond == 10 << 33)
        #expect(service.stats.incomingBytes == 4 << 33)
    }

    @Test func stats64IsPreferredOverStatsInEitherOrder() throws {
        let small = B.stats(10, base: 7, wide: false)
        let large = B.stats(12, base: 1 << 40, wide: true)
        for order in [[small, large], [large, small]] {
            let service = try parse(Self.tcpService(stats: order))
            #expect(service.stats.connections == 1 << 40)
            #expect(service.stats.incomingPacketsPerSecond == 7 << 40)
        }
    }

    @Test func statsWith32BitFieldsIsTheFallback() throws {
        let service = try parse(Self.tcpService(stats: [B.stats(10, base: 5, wide: false, withPad: true)]))
        #expect(service.stats.connections == 5)
        #expect(service.stats.outgoingPackets == 15)
        #expect(service.stats.incomingBytes == 20)
        #expect(service.stats.outgoingBytesPerSecond == 50)
    }

    @Test func firewallMarkServiceOverIPv6() throws {
        let bytes = B.message(
            command: 1,
            [
                B.nest(
                    1,
                    [
                        B.u16(1, 10), B.u32(5, 260), B.string(6, "rr"),
                        B.attribute(7, B.le32(0x2) + B.le32(0xffff_ffff)),
                        B.u32(8, 0), B.u32(9, 128), B.stats(12, base: 0, wide: true),
                    ])
            ])
        let service = try parse(bytes)
        #expect(service.family == .inet6)
        #expect(service.firewallMark == 260)
        #expect(service.address == nil)
        #expect(service.port == nil)
        #expect(service.transportProtocol == nil)
        #expect(service.netmaskLabel == "128")
    }

    @Test func unknownAttributesOfNewerKernelsAreSkipped() throws {
        var bytes = Self.tcpService(stats: [B.stats(12, base: 1, wide: true)])
        // Append an unknown attribute (type 99) inside the service nest by rebuilding.
        bytes = B.message(
            command: 1,
            [
                B.nest(
                    1,
                    [
                        B.u16(1, 2), B.u16(2, 17), B.attribute(3, [1, 2, 3, 4]), B.be16(4, 53), B.u32(99, 1),
                        B.stats(12, base: 2, wide: true),
                    ])
            ])
        let service = try parse(bytes)
        #expect(service.transportProtocol == .udp)
        #expect(service.address?.description == "1.2.3.4")
        #expect(service.stats.connections == 2)
    }

    @Test func malformedServicesAreRejectedWithAReason() {
        let good = Self.tcpService(stats: [B.stats(12, base: 1, wide: true)])
        var cases: [(String, [UInt8])] = []
        cases.append(("truncated in the middle", Array(good.prefix(good.count - 9))))
        var lying = good
        lying[0] = UInt8(truncatingIfNeeded: good.count + 40)
        cases.append(("length beyond the buffer", lying))
        cases.append(("only headers cut short", Array(good.prefix(10))))
        cases.append(("wrong command", B.message(command: 5, [B.nest(1, [B.u16(1, 2)])])))
        cases.append(
            ("no address family", B.message(command: 1, [B.nest(1, [B.u32(5, 1), B.stats(12, base: 1, wide: true)])])))
        cases.append(
            (
                "unknown family",
                B.message(command: 1, [B.nest(1, [B.u16(1, 7), B.u32(5, 1), B.stats(12, base: 1, wide: true)])])
            ))
        cases.append(("no statistics", B.message(command: 1, [B.nest(1, [B.u16(1, 2), B.u32(5, 1)])])))
        cases.append(
            ("no identity", B.message(command: 1, [B.nest(1, [B.u16(1, 2), B.stats(12, base: 1, wide: true)])])))
        cases.append(
            (
                "short address",
                B.message(
                    command: 1,
                    [
                        B.nest(
                            1,
                            [
                                B.u16(1, 10), B.u16(2, 6), B.attribute(3, [1, 2, 3, 4]), B.be16(4, 1),
                                B.stats(12, base: 1, wide: true),
                            ])
                    ])
            ))
        cases.append(("u32 attribute of 2 bytes", B.message(command: 1, [B.nest(1, [B.u16(1, 2), B.u16(5, 1)])])))
        cases.append(
            (
                "counter of 3 bytes",
                B.message(
                    command: 1, [B.nest(1, [B.u16(1, 2), B.u32(5, 1), B.nest(12, [B.attribute(1, [1, 2, 3])])])])
            ))
        cases.append(("attribute length below its header", B.message(command: 1, [[2, 0, 1, 0]])))
        for (name, bytes) in cases {
            #expect(throws: NetlinkMessageError.self, "\(name)") { try parse(bytes) }
        }
    }

    @Test func destinationTakesTheServiceFamilyUnlessItCarriesItsOwn() throws {
        func destination(_ extra: [[UInt8]], address: [UInt8]) -> [UInt8] {
            B.message(
                command: 5,
                [
                    B.nest(
                        2,
                        [
                            B.attribute(1, address), B.be16(2, 443), B.u32(3, 0x2 | 0x100), B.u32(4, 5), B.u32(5, 100),
                            B.u32(6, 10), B.u32(7, 3), B.u32(8, 4), B.u32(9, 2), B.stats(12, base: 3, wide: true),
                        ] + extra)
                ])
        }
        let v4 = try destination([], address: [10, 0, 0, 9] + [UInt8](repeating: 0, count: 12)).withUnsafeBytes {
            try IPVSMessageParser.parseDestination($0, serviceFamily: .inet)
        }
        #expect(v4.address.description == "10.0.0.9")
        #expect(v4.port == 443)
        #expect(v4.forwarding == .tunnel)
        #expect(v4.weight == 5)
        #expect(v4.upperThreshold == 100)
        #expect(v4.lowerThreshold == 10)
        #expect(v4.activeConnections == 3)
        #expect(v4.inactiveConnections == 4)
        #expect(v4.persistentConnections == 2)
        #expect(v4.stats.incomingBytes == 12)

        let v6Address: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
        let mixed = try destination([B.u16(11, 10)], address: v6Address).withUnsafeBytes {
            try IPVSMessageParser.parseDestination($0, serviceFamily: .inet)
        }
        #expect(mixed.address.family == .inet6)
        #expect(mixed.address.description == "2001:db8::1")
    }

    @Test func everyForwardingMethodHasItsLabel() throws {
        let expected: [(UInt32, String)] = [(0, "masq"), (1, "local"), (2, "tunnel"), (3, "route"), (4, "bypass")]
        for (raw, label) in expected {
            let bytes = B.message(
                command: 5,
                [
                    B.nest(
                        2,
                        [B.attribute(1, [1, 1, 1, 1]), B.be16(2, 1), B.u32(3, raw), B.stats(10, base: 1, wide: false)])
                ])
            let server = try bytes.withUnsafeBytes { try IPVSMessageParser.parseDestination($0, serviceFamily: .inet) }
            #expect(server.forwarding.name == label)
        }
    }

    @Test func infoReply() throws {
        let bytes = B.message(command: 14, [B.u32(1, 0x010201), B.u32(2, 4096)])
        let info = try bytes.withUnsafeBytes { try IPVSMessageParser.parseInfo($0) }
        #expect(info.version == "1.2.1")
        #expect(info.connectionTableSize == 4096)
        let broken = B.message(command: 14, [B.u32(1, 0x010201)])
        #expect(throws: NetlinkMessageError.self) { try broken.withUnsafeBytes { try IPVSMessageParser.parseInfo($0) } }
    }

    @Test func unalignedCountersAreRead() throws {
        // A u64 whose payload starts 4 bytes into an 8-byte boundary.
        let nest = B.nest(12, [B.u64(1, 0x0102_0304_0506_0708)])
        let padded = [UInt8](repeating: 0, count: 1) + nest
        let stats = try padded.withUnsafeBytes { raw in
            try IPVSMessageParser.parseStats(UnsafeRawBufferPointer(rebasing: raw[5...]))
        }
        #expect(stats.connections == 0x0102_0304_0506_0708)
    }
}
