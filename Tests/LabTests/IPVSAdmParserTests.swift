import Testing

@Suite struct IPVSAdmParserTests {
    private func parse(_ text: String, _ mode: IPVSAdmMode) throws -> IPVSAdmListing {
        try IPVSAdmParser.parse(text, mode: mode, source: "fixture")
    }

    @Test func listingHeaderServicesAndAttributes() throws {
        let listing = try parse(IPVSAdmFixtures.list, .list)
        #expect(listing.version == "1.2.1")
        #expect(listing.connectionTableSize == 4096)
        #expect(listing.services.count == 10)
        #expect(listing.services.map(\.destinations.count) == [2, 2, 1, 0, 1, 1, 1, 1, 1, 1])

        let persistent = listing.services[0]
        #expect(persistent.key == IPVSAdmServiceKey(kind: .tcp, family: "inet", address: "10.0.0.2", port: 80))
        #expect(
            persistent.attributes
                == IPVSAdmServiceAttributes(scheduler: "wlc", persistence: 300, netmask: "255.255.255.0"))
        #expect(
            persistent.destinations[0]
                == IPVSAdmDestination(address: "10.9.9.9", port: 8080, forwarding: "Masq", numbers: [5, 1, 6]))
        #expect(listing.services[1].destinations.map(\.forwarding) == ["(null)", "Local"])
        #expect(listing.services[2].attributes?.schedulerFlags == ["mh-port"])
        #expect(listing.services[4].attributes == IPVSAdmServiceAttributes(scheduler: "rr", onePacket: true))
        #expect(
            listing.services[5].attributes
                == IPVSAdmServiceAttributes(scheduler: "rr", persistence: 60, persistenceEngine: "sip"))

        let ipv6 = listing.services[6]
        #expect(ipv6.key == IPVSAdmServiceKey(kind: .tcp, family: "inet6", address: "2001:db8::4", port: 443))
        #expect(
            ipv6.attributes
                == IPVSAdmServiceAttributes(
                    scheduler: "sh", schedulerFlags: ["sh-fallback", "sh-port"], persistence: 120, netmask: "64"))
        #expect(ipv6.destinations[0].address == "fd00::1:3" && ipv6.destinations[0].forwarding == "Tunnel")
        #expect(listing.services[7].key.kind == .sctp)
        #expect(
            listing.services[8].key
                == IPVSAdmServiceKey(kind: .fwmark, family: "inet6", address: "", port: 0, fwmark: 2))
        #expect(listing.services[8].attributes?.persistence == 600)
        #expect(
            listing.services[9].key
                == IPVSAdmServiceKey(kind: .fwmark, family: "inet", address: "", port: 0, fwmark: 260))
    }

    @Test func countersAndRates() throws {
        let stats = try parse(IPVSAdmFixtures.stats, .stats)
        #expect(stats.services.count == 10)
        #expect(stats.services.allSatisfy { $0.attributes == nil })
        #expect(stats.services[0].numbers == [6, 42, 30, 2598, 8556])
        #expect(stats.services[8].key.fwmark == 2 && stats.services[8].key.family == "inet6")
        #expect(stats.services[9].destinations[0].numbers == [9, 58, 41, 3640, UInt64.max])
        let rate = try parse(IPVSAdmFixtures.rate, .rate)
        #expect(rate.services[7].destinations[0].numbers == [0, 1, 0, 333, 0])
    }

    @Test func thresholdsAndPersistentConnections() throws {
        let thresholds = try parse(IPVSAdmFixtures.thresholds, .thresholds)
        #expect(thresholds.services[0].destinations[0].numbers == [50, 5, 1, 6])
        #expect(thresholds.services[6].destinations[0].numbers == [10, 2, 0, 0])
        #expect(thresholds.services[0].attributes?.persistence == 300)
        let persistent = try parse(IPVSAdmFixtures.persistentConnections, .persistentConnections)
        #expect(persistent.services[0].destinations[0].numbers == [5, 1, 1, 6])
        #expect(persistent.services[1].destinations[1].numbers == [4, 0, 0, 0])
    }

    @Test func emptyTable() throws {
        let listing = try parse(
            "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
                + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n", .list)
        #expect(listing.services.isEmpty)
    }

    @Test(arguments: [
        ("TCP  10.0.0.1:80 rr frobnicate", "unknown service attribute 'frobnicate'"),
        ("ICMP 10.0.0.1:80 rr", "unknown service protocol 'ICMP'"),
        ("TCP  10.0.0.1 rr", "no ADDRESS:PORT"),
        ("TCP  10.0.0.1:80 rr persistent", "persistent without seconds"),
        ("TCP  10.0.0.1:80 rr\n  -> 10.9.9.9:80  Masq 1 0", "expected 3 numbers after the real server"),
    ])
    func malformedLines(line: String, reason: String) throws {
        let text = "IP Virtual Server version 1.2.1 (size=4096)\n" + line + "\n"
        let error = try #require(throws: IPVSAdmParseError.self) { try parse(text, .list) }
        #expect(error.reason == reason)
        #expect(error.line >= 2)
        #expect(error.description.hasPrefix("fixture:\(error.line): "))
    }

    @Test func countersNeedFiveNumbers() throws {
        let text = "IP Virtual Server version 1.2.1 (size=4096)\nTCP  10.0.0.1:80   1 2 3 4\n"
        let error = try #require(throws: IPVSAdmParseError.self) { try parse(text, .stats) }
        #expect(error.reason == "expected 5 numbers after the service")
    }

    @Test func realServerBeforeServiceAndMissingHeader() throws {
        let orphan = try #require(throws: IPVSAdmParseError.self) {
            try parse("IP Virtual Server version 1.2.1 (size=4096)\n  -> 10.9.9.9:80 Masq 1 0 0\n", .list)
        }
        #expect(orphan.reason == "a real server before any service")
        let headless = try #require(throws: IPVSAdmParseError.self) {
            try parse("Can't initialize ipvs: Protocol not available\n", .list)
        }
        #expect(headless.reason.hasPrefix("no 'IP Virtual Server version' line"))
    }

    @Test func endpoints() {
        #expect(IPVSAdmParser.parseEndpoint("10.0.0.1:80")! == ("10.0.0.1", "inet", 80))
        #expect(IPVSAdmParser.parseEndpoint("[2001:db8::1]:8080")! == ("2001:db8::1", "inet6", 8080))
        #expect(IPVSAdmParser.parseEndpoint("[fd00::1:1]:0")! == ("fd00::1:1", "inet6", 0))
        #expect(IPVSAdmParser.parseEndpoint("[2001:db8::1]") == nil)
        #expect(IPVSAdmParser.parseEndpoint("10.0.0.1") == nil)
    }

    @Test func mangleMarkRules() {
        #expect(MangleMarkRules.ports(fromSave: IPVSAdmFixtures.mangle) == [0x104: 30000, 0x105: 30001])
        let text = """
            -A PREROUTING -p tcp --dport 8080 -j MARK --set-mark 256
            -A PREROUTING -p tcp --dport 9090 -j MARK --set-mark 256
            -A OUTPUT -d 10.0.0.5/32 -j MARK --set-xmark 0x101/0xffffffff
            -A PREROUTING -p tcp -j MARK --set-xmark 0x102/0xffffffff
            """
        #expect(MangleMarkRules.ports(fromSave: text) == [256: 8080])
    }
}
