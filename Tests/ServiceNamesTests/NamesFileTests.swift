import Collector
import Foundation
import Testing

@testable import ServiceNames

@Suite struct NamesFileTests {
    static let valid = """
        services:
          - name: web
            protocol: tcp
            address: 192.0.2.10
            port: 80
          - name: web6
            address: "2001:db8::10"
            port: 443
          - name: dns
            protocol: udp
            address: 192.0.2.53
            port: 53
          - name: dns-mark
            fwmark: 42
            family: inet
            namespace: /run/netns/lb
          - name: any-mark
            fwmark: 0x2a
          - name: mark6
            fwmark: 42
            family: inet6
        """

    @Test func readsAValidFile() throws {
        let file = try NamesFile.parse(Self.valid, file: "names.yml")
        #expect(
            file.entries == [
                NamesFileEntry(
                    name: "web", target: .address(.tcp, IPAddress("192.0.2.10")!, port: 80), line: 2, column: 5),
                NamesFileEntry(
                    name: "web6", target: .address(.tcp, IPAddress("2001:db8::10")!, port: 443), line: 6, column: 5),
                NamesFileEntry(
                    name: "dns", target: .address(.udp, IPAddress("192.0.2.53")!, port: 53), line: 9, column: 5),
                NamesFileEntry(
                    name: "dns-mark", target: .firewallMark(42, .inet), namespace: "/run/netns/lb", line: 13,
                    column: 5),
                NamesFileEntry(name: "any-mark", target: .firewallMark(42, .inet), line: 17, column: 5),
                NamesFileEntry(name: "mark6", target: .firewallMark(42, .inet6), line: 19, column: 5),
            ])
    }

    @Test func namesMatchingServicesPreferringTheNamespaceEntry() throws {
        let file = try NamesFile.parse(Self.valid, file: "names.yml")
        let web = VirtualService(
            family: .inet, transportProtocol: .tcp, protocolNumber: 6, address: IPAddress("192.0.2.10"), port: 80)
        #expect(file.name(of: web, namespace: "") == ServiceName(name: "web", source: .file))
        var udpWeb = web
        udpWeb.transportProtocol = .udp
        #expect(file.name(of: udpWeb, namespace: "") == nil)
        var otherPort = web
        otherPort.port = 8080
        #expect(file.name(of: otherPort, namespace: "") == nil)
        let web6 = VirtualService(
            family: .inet6, transportProtocol: .tcp, address: IPAddress("2001:0db8:0::0010"), port: 443)
        #expect(file.name(of: web6, namespace: "/run/netns/x")?.name == "web6")

        let mark = VirtualService(family: .inet, firewallMark: 42)
        #expect(file.name(of: mark, namespace: "/run/netns/lb")?.name == "dns-mark")
        #expect(file.name(of: mark, namespace: "/run/netns/other")?.name == "any-mark")
        #expect(file.name(of: VirtualService(family: .inet6, firewallMark: 42), namespace: "")?.name == "mark6")
        #expect(file.name(of: VirtualService(family: .inet, firewallMark: 43), namespace: "") == nil)
    }

    @Test func anEmptyFileOrListNamesNothing() throws {
        #expect(try NamesFile.parse("", file: "names.yml").entries.isEmpty)
        #expect(try NamesFile.parse("services: []\n", file: "names.yml").entries.isEmpty)
        #expect(try NamesFile.parse("services:\n", file: "names.yml").entries.isEmpty)
    }

    /// The problems reported for `text`, as `LINE:COLUMN: message`.
    private func problems(_ text: String) -> [String] {
        do {
            _ = try NamesFile.parse(text, file: "n.yml")
            return []
        } catch {
            return error.problems.map {
                #expect($0.file == "n.yml")
                return "\($0.line):\($0.column): \($0.message)"
            }
        }
    }

    @Test func reportsUnknownKeysWhereTheyAre() {
        #expect(
            problems(
                """
                service:
                  - name: a
                """) == [#"1:1: unknown key "service" (the file has only "services")"#])
        #expect(
            problems(
                """
                services:
                  - name: a
                    fwmark: 1
                    weight: 3
                """) == [
                    #"4:5: unknown key "weight" in services[0] (known keys: name, protocol, address, port, fwmark, family, namespace)"#
                ])
    }

    @Test func reportsWrongTypes() {
        #expect(problems("- a\n- b\n") == [#"1:1: the file must be a mapping with the key "services", not a list"#])
        #expect(
            problems("services:\n  name: a\n")
                == [#"2:3: services must be a list (start each entry with "- "), not a mapping"#])
        #expect(
            problems("services:\n  - web\n")
                == [#"2:5: services[0] must be a mapping (name, and fwmark or address and port), not "web""#])
        #expect(
            problems(
                """
                services:
                  - name: [a, b]
                    fwmark: {x: 1}
                """) == [
                    "2:11: services[0].name must be text, not a list",
                    "3:13: services[0].fwmark must be text, not a mapping",
                ])
    }

    @Test func reportsAMissingNameAndAMissingTarget() {
        #expect(
            problems(
                """
                services:
                  - fwmark: 7
                  - name: a
                  - name: b
                    address: 192.0.2.1
                  - name: ""
                    fwmark: 8
                """) == [
                    #"2:5: services[0] needs a "name""#,
                    "3:5: services[1] needs fwmark, or address and port (address and port missing)",
                    "4:5: services[2] needs fwmark, or address and port (port missing)",
                    "6:11: services[3].name must not be empty",
                ])
    }

    @Test func reportsAMarkWithAnAddressOrPort() {
        #expect(
            problems(
                """
                services:
                  - name: a
                    fwmark: 7
                    port: 80
                  - name: b
                    address: 192.0.2.1
                    port: 80
                    family: inet6
                """) == [
                    "4:11: services[0] has both fwmark and port: a service is either a firewall mark or an address and port; keep one",
                    "8:13: services[1].family applies to fwmark entries only (an address has its own family); remove it",
                ])
    }

    @Test func reportsBadAddressesPortsMarksAndChoices() {
        #expect(
            problems(
                """
                services:
                  - name: a
                    address: 192.0.2.300
                    port: 65536
                  - name: b
                    address: "[2001:db8::1]"
                    port: http
                    protocol: icmp
                  - name: c
                    fwmark: 0
                    family: ipv4
                  - name: d
                    fwmark: 0xZZ
                  - name: e
                    fwmark: 4294967296
                """) == [
                    #"3:14: services[0].address: "192.0.2.300" is not an IPv4 or IPv6 address (write it without brackets or prefix length)"#,
                    #"4:11: services[0].port: "65536" is not a port (0 to 65535)"#,
                    #"6:14: services[1].address: "[2001:db8::1]" is not an IPv4 or IPv6 address (write it without brackets or prefix length)"#,
                    #"7:11: services[1].port: "http" is not a port (0 to 65535)"#,
                    #"8:15: services[1].protocol: "icmp" is not tcp, udp or sctp"#,
                    #"10:13: services[2].fwmark: "0" is not a firewall mark (1 to 4294967295, decimal or 0x hex)"#,
                    #"11:13: services[2].family: "ipv4" is not inet or inet6"#,
                    #"13:13: services[3].fwmark: "0xZZ" is not a firewall mark (1 to 4294967295, decimal or 0x hex)"#,
                    #"15:13: services[4].fwmark: "4294967296" is not a firewall mark (1 to 4294967295, decimal or 0x hex)"#,
                ])
    }

    @Test func reportsDuplicateEntriesAtTheSecond() {
        #expect(
            problems(
                """
                services:
                  - name: a
                    address: 192.0.2.1
                    port: 80
                  - name: b
                    fwmark: 0x10
                  - name: c
                    protocol: tcp
                    address: 192.0.2.1
                    port: 80
                  - name: d
                    fwmark: 16
                  - name: e
                    fwmark: 16
                    namespace: /run/netns/lb
                """) == [
                    #"7:5: services[2] names the same service as the entry at 2:5 ("a"); keep one of them"#,
                    #"11:5: services[3] names the same service as the entry at 5:5 ("b"); keep one of them"#,
                ])
    }

    @Test func reportsDuplicateKeysAndSyntaxErrors() {
        let duplicate = problems(
            """
            services:
              - name: a
                name: b
                fwmark: 1
            """)
        #expect(duplicate.count == 1)
        #expect(duplicate.first?.contains(#"duplicate key "name" in one mapping"#) == true)
        let syntax = problems("services:\n  - name: [a\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.contains("not valid YAML") == true)
        #expect(syntax.first?.hasPrefix("0:0") == false)
    }

    @Test func loadSaysWhichFileCannotBeRead() throws {
        let missing = "/nonexistent/ipvs-push-names.yml"
        let error = #expect(throws: NamesFileError.self) { try NamesFile.load(path: missing) }
        #expect(
            error?.description
                == "/nonexistent/ipvs-push-names.yml: cannot read the names file: No such file or directory (--names-file)"
        )

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("names-\(UUID().uuidString).yml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "services:\n  - name: a\n    fwmark: x\n  - fwmark: 2\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let bad = #expect(throws: NamesFileError.self) { try NamesFile.load(path: path) }
        #expect(
            bad?.description == """
                the names file has 2 problems:
                  \(path):3:13: services[0].fwmark: "x" is not a firewall mark (1 to 4294967295, decimal or 0x hex)
                  \(path):4:5: services[1] needs a "name"
                """)
        try "services:\n  - name: a\n    fwmark: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try NamesFile.load(path: path).entries.map(\.name) == ["a"])
        #expect(try NamesFile.load(path: path).path == path)
    }
}
