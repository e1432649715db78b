import Exposition
import Foundation
import TestSupport
import Testing

/// A real Docker Swarm (Lab/scenarios/swarm.sh): ingress_ipvs_exporter's README example
/// (three services publishing ports, ten requests to the first) and a VIP service on an
/// overlay network, read by `dump` and `serve` in every way a Swarm operator would, each
/// number compared with ipvsadm in that namespace.
@Suite("Swarm: dump and serve against ipvsadm on a real Docker Swarm", .serialized)
struct LabSwarmTests {
    static let lab = Task<LabResults, any Error> {
        LabResults(
            directory: try await LabScenario(
                "swarm", memory: "2G", timeoutSeconds: 1200, resultsVariable: "IPVS_LAB_SWARM_RESULTS",
                logs: ["logs/dockerd.log"]
            ).run())
    }

    static let ingress = "/var/run/docker/netns/ingress_sbox"
    /// Docker creates its firewall-mark services without a netmask, which ipvsadm does not list.
    static let dockerNetmask = "0.0.0.0"
    /// Families that say what the pattern and Docker found rather than what ipvsadm lists.
    static let discoveryFamilies: Set<String> = ["ipvs_service_name_info", "ipvs_names_up", "ipvs_namespaces"]

    static func parse(_ results: LabResults, _ file: String) throws -> ParsedExposition {
        try ExpositionParser.parse(try results.bytes(file), source: results.path(file), format: nil)
    }

    static func value(_ parsed: ParsedExposition, _ name: String, _ labels: [String: String]) -> Double? {
        parsed.families.lazy.flatMap(\.samples).first { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }

    /// Every comparable series of `file` against ipvsadm (truth `truth`) in `namespaces`
    /// (short names; the guest's own always).
    static func compare(
        _ results: LabResults, _ file: String, status: String? = nil, truth: String, namespaces: [String]? = nil
    ) throws {
        #expect(try results.exitStatus(status ?? file) == 0, "\(file): \((try? results.text(file + ".stderr")) ?? "")")
        var parsed = try parse(results, file)
        // What the pattern and Docker found is checked on its own; the endpoint's own
        // ipvs_push_scrape_* families are not IPVS's.
        parsed.families.removeAll { discoveryFamilies.contains($0.name) || $0.name.hasPrefix("ipvs_push_") }
        let truths = try results.namespaces().filter {
            namespaces == nil || $0.name == "host" || namespaces!.contains($0.name)
        }
        .map {
            try NamespaceTruth(
                results: results, truth: truth, name: $0.name, path: $0.path, unlistedNetmask: dockerNetmask)
        }
        #expect(truths.count >= 2)
        let problems = try DumpComparison(truths: truths).problems(in: parsed)
        let compared = try truths.reduce(0) { $0 + (try $1.objectSeries().count) + $1.namespaceSeries.count }
        print("swarm: \(file): \(compared) series compared with ipvsadm")
        let listed = problems.prefix(60).joined(separator: "\n")
        #expect(problems.isEmpty, "\(problems.count) differences between \(results.path(file)) and ipvsadm:\n\(listed)")
    }

    @Test func theSwarmConvergedAndTheTrafficWentThrough() async throws {
        let results = try await Self.lab.value
        let traffic = try results.environment("traffic.env")
        #expect(traffic["ingress_requests"] == "10" && traffic["ingress_failed"] == "0", "\(traffic)")
        #expect(traffic["vip_failed"] == "0", "\(traffic)")
        let names = try results.namespaces().map(\.name)
        #expect(
            names.count == 3 && names.contains("ingress_sbox") && names.contains { $0.hasPrefix("lb_") }, "\(names)")
    }

    @Test(arguments: ["prom", "om"]) func everyDumpEqualsIpvsadm(_ format: String) async throws {
        let results = try await Self.lab.value
        let truth = format == "prom" ? "truth.prom" : "truth.om"
        for (name, _) in try results.namespaces() where name != "host" {
            try Self.compare(results, "dump.\(name).\(format)", truth: truth, namespaces: [name])
        }
        try Self.compare(results, "dump.all.\(format)", truth: truth)
        try Self.compare(results, "dump.glob.\(format)", truth: truth)
    }

    /// The README example's numbers: ten connections to the first service's published port.
    @Test func theExampleShowsTenConnectionsOnTheFirstPublishedPort() async throws {
        let results = try await Self.lab.value
        let services = try results.environment("services.env")
        let port = try require(services["service_1_port"], "no service_1_port")
        let mark = try require(services["service_1_mark"], "no service_1_mark")
        let dump = try Self.parse(results, "dump.ingress_sbox.prom")
        #expect(
            Self.value(
                dump, "ipvs_service_connections_total", ["namespace": Self.ingress, "fwmark": mark, "port": port])
                == 10)
        let compat = try Self.parse(results, "serve-compat.prom")
        #expect(Self.value(compat, "ipvs_connections_total", ["fwmark": mark, "port": port]) == 10)
        #expect(Self.value(compat, "ipvs_services_total", ["namespace": Self.ingress]) == 3)
    }

    @Test func serveEqualsIpvsadmPlainAndByPattern() async throws {
        let results = try await Self.lab.value
        #expect(try results.exitStatus("serve") == 0 && results.exists("serve.prom"))
        try Self.compare(results, "serve.prom", status: "serve", truth: "truth.om", namespaces: ["ingress_sbox"])
        try Self.compare(results, "serve-glob.prom", status: "serve-glob", truth: "truth.om")
    }

    /// `--compat ingress-ipvs-exporter`: that exporter's names, each with ipvsadm's number.
    @Test(arguments: [("serve-compat.prom", "serve-compat"), ("dump.compat.prom", "dump.compat.prom")])
    func compatCarriesIpvsadmsNumbers(_ file: String, status: String) async throws {
        let results = try await Self.lab.value
        #expect(try results.exitStatus(status) == 0)
        let compat = try Self.parse(results, file)
        let truth = try NamespaceTruth(
            results: results, truth: "truth.om", name: "ingress_sbox", path: Self.ingress,
            unlistedNetmask: Self.dockerNetmask)
        var compared = 0
        for service in truth.stats.services {
            let mark = String(try require(service.key.fwmark, "\(service.key) is not a firewall mark"))
            let port = truth.markPorts[UInt32(mark)!].map(String.init) ?? ""
            let labels = ["namespace": Self.ingress, "fwmark": mark, "port": port]
            #expect(Self.value(compat, "ipvs_connections_total", labels) == Double(service.numbers[0]), "\(labels)")
            #expect(Self.value(compat, "ipvs_bytes_in_total", labels) == Double(service.numbers[3]), "\(labels)")
            #expect(Self.value(compat, "ipvs_bytes_out_total", labels) == Double(service.numbers[4]), "\(labels)")
            for destination in service.destinations {
                let real = labels.merging(["address": destination.address]) { $1 }
                #expect(
                    Self.value(compat, "ipvs_destination_connections_total", real) == Double(destination.numbers[0]),
                    "\(real)")
                #expect(
                    Self.value(compat, "ipvs_destination_bytes_in_total", real) == Double(destination.numbers[3]),
                    "\(real)")
                compared += 1
            }
            compared += 1
        }
        #expect(compared >= 6)
    }

    /// Every firewall-mark service named from Docker, by published port (ingress) or VIP (lb_);
    /// the pattern counts the namespaces it matched.
    @Test(arguments: ["dump.glob.prom", "serve-glob.prom"])
    func theServicesAreNamedAndTheNamespacesCounted(_ file: String) async throws {
        let results = try await Self.lab.value
        let services = try results.environment("services.env")
        let parsed = try Self.parse(results, file)
        let lb = try require(services["app_lb_netns"], "no app_lb_netns")
        var expected: [String: String] = [:]
        for name in ["service_1", "service_2", "service_3"] {
            expected["\(Self.ingress) \(try require(services["\(name)_mark"], "no \(name)_mark"))"] = name
        }
        expected["\(lb) \(try require(services["web_mark"], "no web_mark"))"] = "web"
        let info = try require(parsed.families.first { $0.name == "ipvs_service_name_info" }, "\(file): no names")
        var seen: [String: String] = [:]
        for sample in info.samples {
            seen["\(sample.labels["namespace"] ?? "") \(sample.labels["fwmark"] ?? "")"] = sample.labels["name"]
            #expect(sample.labels["source"] == "docker" && sample.value == 1)
            if sample.labels["name"] == "web" {
                #expect(sample.labels["network"] == "app" && sample.labels["virtual_ip"] == services["web_vip"])
            } else {
                #expect(sample.labels["network"] == "ingress", "\(sample.labels)")
            }
        }
        #expect(seen == expected, "\(file)")
        #expect(Self.value(parsed, "ipvs_names_up", ["source": "docker"]) == 1)
        let matched = try results.text("netns/namespaces.tsv").split(separator: "\n").filter { !$0.hasPrefix("host\t") }
        #expect(Self.value(parsed, "ipvs_namespaces", ["state": "with_services"]) == 2)
        #expect(Self.value(parsed, "ipvs_namespaces", ["state": "empty"]) == Double(matched.count - 2))
        #expect(Self.value(parsed, "ipvs_namespaces", ["state": "failed"]) == 0)
    }
}
