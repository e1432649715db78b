import Foundation
import TestSupport
import Testing

/// `ipvs-push run` on a real Docker Swarm while services are created, scaled and removed and
/// an overlay network comes and goes (Lab/scenarios/swarm-run.sh): every cycle between two
/// checkpoints holds exactly what ipvsadm holds then, in every Docker namespace the pattern
/// finds; every service is named from Docker; a removed service's series get one staleness
/// marker; the namespace that went has its Pushgateway group deleted.
@Suite("Swarm: run while services and networks come and go", .serialized)
struct LabSwarmRunTests {
    static let lab = Task<LabResults, any Error> {
        LabResults(
            directory: try await LabScenario(
                "swarm-run", memory: "2G", timeoutSeconds: 1500, resultsVariable: "IPVS_LAB_SWARM_RUN_RESULTS",
                logs: ["logs/agent.log", "logs/dockerd.log"]
            ).run())
    }

    /// One checkpoint: its window and what ipvsadm held in each Docker namespace with services.
    struct Step {
        var name: String
        var begin: Int64
        var end: Int64
        /// Namespace path → the `--stats --exact` and plain listings at the window's start.
        var stats: [String: IPVSAdmListing]
        var lists: [String: IPVSAdmListing]
        /// The same namespaces' `--stats --exact` listings at the window's end.
        var statsAfter: [String: IPVSAdmListing]
        var dockerServices: Set<String>

        func contains(_ timestamp: Int64) -> Bool { timestamp > begin && timestamp < end }
    }

    struct Run {
        var results: LabResults
        var steps: [Step]
        var series: [StoredSeries]
        var services: [String: String]

        func step(_ name: String) throws -> Step { try require(steps.first { $0.name == name }, "no step \(name)") }

        /// The series of `name` in Docker's namespaces.
        func docker(_ name: String) -> [StoredSeries] {
            series.filter { $0.name == name && ($0.labels["namespace"] ?? "").hasPrefix("/var/run/docker/netns/") }
        }
    }

    static func load() async throws -> Run {
        let results = try await lab.value
        var steps: [Step] = []
        for line in try results.text("steps.tsv").split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            guard fields.count == 3, let begin = Int64(fields[1]), let end = Int64(fields[2]) else {
                throw TestFailure("steps.tsv: '\(line)' is not STEP BEGIN END")
            }
            var step = Step(
                name: fields[0], begin: begin, end: end, stats: [:], lists: [:], statsAfter: [:],
                dockerServices: Set(
                    try results.text("steps/\(fields[0])/services.txt").split(separator: "\n").map(String.init)))
            for row in try results.text("steps/\(step.name)/namespaces.tsv").split(separator: "\n") {
                let columns = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                guard columns.count == 5, !columns[1].isEmpty, (Int(columns[3]) ?? 0) > 0 else { continue }
                let (name, path) = (columns[0], columns[1])
                func listing(_ file: String, _ mode: IPVSAdmMode) throws -> IPVSAdmListing {
                    try IPVSAdmParser.parse(try results.text(file), mode: mode, source: file)
                }
                step.stats[path] = try listing("steps/\(step.name)/\(name)/ipvsadm.stats", .stats)
                step.lists[path] = try listing("steps/\(step.name)/\(name)/ipvsadm.list", .list)
                step.statsAfter[path] = try listing("steps/\(step.name)/after/\(name)/ipvsadm.stats", .stats)
            }
            steps.append(step)
        }
        return Run(
            results: results, steps: steps,
            series: try StoredSeries.parseVictoriaExport(try results.text("victoria-export.jsonl")),
            services: try results.environment("services.env"))
    }

    /// `namespace fwmark` of a service series, `namespace fwmark address` of a real server's.
    static func key(_ labels: [String: String], destination: Bool = false) -> String {
        var key = "\(labels["namespace"] ?? "") \(labels["fwmark"] ?? "")"
        if destination { key += " \(labels["destination_address"] ?? "")" }
        return key
    }

    @Test func theScenarioRanAndTheAgentStoppedCleanly() async throws {
        let run = try await Self.load()
        #expect(run.steps.map(\.name) == ["start", "create", "scale", "remove", "network", "gone"])
        #expect(try run.results.exitStatus("agent") == 0)
        let traffic = try run.results.environment("traffic.env")
        #expect(traffic["ingress_failed"] == "0" && traffic["vip_failed"] == "0", "\(traffic)")
        // Nothing moved the counters inside a window: ipvsadm read the same at both ends.
        for step in run.steps {
            #expect(step.stats == step.statsAfter, "\(step.name): ipvsadm changed inside the window")
        }
    }

    @Test func everyCycleHoldsWhatIpvsadmHolds() async throws {
        let run = try await Self.load()
        var compared = 0
        for step in run.steps {
            // What ipvsadm listed: service → (Conns, InBytes), real server → (Conns, Weight).
            var services: [String: [UInt64]] = [:]
            var destinations: [String: [UInt64]] = [:]
            for (namespace, listing) in step.stats {
                let list = try require(step.lists[namespace], "\(step.name): no list for \(namespace)")
                for service in listing.services {
                    let mark = try require(service.key.fwmark, "\(step.name): \(service.key) is not a fwmark service")
                    let labels = ["namespace": namespace, "fwmark": String(mark)]
                    services[Self.key(labels)] = [service.numbers[0], service.numbers[3]]
                    let weights = list.service(service.key)?.destinations ?? []
                    for destination in service.destinations {
                        let weight = weights.first { $0.address == destination.address }?.numbers[0]
                        destinations[
                            Self.key(
                                labels.merging(["destination_address": destination.address]) { $1 }, destination: true)] =
                            [
                                destination.numbers[0],
                                try require(weight, "\(step.name): no weight for \(destination.address)"),
                            ]
                    }
                }
            }
            #expect(services.count >= 2, "\(step.name): \(services)")

            // What the agent wrote in the window, cycle by cycle.
            func values(_ name: String, destination: Bool = false) -> [Int64: [String: Double]] {
                var cycles: [Int64: [String: Double]] = [:]
                for series in run.docker(name) {
                    for point in series.points where step.contains(point.timestamp) && !point.value.isNaN {
                        cycles[point.timestamp, default: [:]][Self.key(series.labels, destination: destination)] =
                            point.value
                    }
                }
                return cycles
            }
            let connections = values("ipvs_service_connections_total")
            let bytes = values("ipvs_service_incoming_bytes_total")
            let destinationConnections = values("ipvs_destination_connections_total", destination: true)
            let weights = values("ipvs_destination_weight", destination: true)
            #expect(connections.count >= 2, "\(step.name): \(connections.count) cycles in the window")
            for (timestamp, cycle) in connections {
                #expect(cycle == services.mapValues { Double($0[0]) }, "\(step.name) @\(timestamp): connections")
                #expect(bytes[timestamp] == services.mapValues { Double($0[1]) }, "\(step.name) @\(timestamp): bytes")
                #expect(
                    destinationConnections[timestamp] == destinations.mapValues { Double($0[0]) },
                    "\(step.name) @\(timestamp): real servers' connections")
                #expect(
                    weights[timestamp] == destinations.mapValues { Double($0[1]) },
                    "\(step.name) @\(timestamp): weights")
                compared += cycle.count + (destinationConnections[timestamp]?.count ?? 0)
            }
            // The pattern found every Docker namespace with services, and only those had series.
            let found = run.series.filter { $0.name == "ipvs_namespaces" && $0.labels["state"] == "with_services" }
            let counts = Set(found.flatMap(\.points).filter { step.contains($0.timestamp) }.map(\.value))
            #expect(counts == [Double(step.stats.count)], "\(step.name): ipvs_namespaces \(counts)")
        }
        #expect(compared > 100, "only \(compared) values compared")
        print(
            "swarm-run: \(compared) service and real-server counters compared with ipvsadm over \(run.steps.count) steps"
        )
    }

    @Test func everyServiceIsNamedFromDocker() async throws {
        let run = try await Self.load()
        let ingress = "/var/run/docker/netns/ingress_sbox"
        let appLB = try require(run.services["app_lb"], "no app_lb")
        let app2LB = try require(run.services["app2_lb"], "no app2_lb")
        func mark(_ name: String) throws -> String { try require(run.services["\(name)_mark"], "no \(name)_mark") }
        let expected: [String: [String: String]] = [
            "start": ["\(ingress) \(try mark("service_1"))": "service_1", "\(appLB) \(try mark("web"))": "web"],
            "create": [
                "\(ingress) \(try mark("service_1"))": "service_1", "\(ingress) \(try mark("service_2"))": "service_2",
                "\(appLB) \(try mark("web"))": "web",
            ],
            "remove": ["\(ingress) \(try mark("service_2"))": "service_2", "\(appLB) \(try mark("web"))": "web"],
            "network": [
                "\(ingress) \(try mark("service_2"))": "service_2", "\(appLB) \(try mark("web"))": "web",
                "\(app2LB) \(try mark("api"))": "api",
            ],
        ]
        let networks = [ingress: "ingress", appLB: "app", app2LB: "app2"]
        let names = run.docker("ipvs_service_name_info")
        for (stepName, marks) in expected {
            let step = try run.step(stepName)
            var seen: [String: String] = [:]
            for series in names where series.points.contains(where: { step.contains($0.timestamp) && $0.value == 1 }) {
                seen[Self.key(series.labels)] = series.labels["name"]
                #expect(series.labels["source"] == "docker")
                #expect(series.labels["network"] == networks[series.labels["namespace"] ?? ""], "\(series.key)")
            }
            #expect(seen == marks, "\(stepName)")
            #expect(Set(marks.values).isSubset(of: step.dockerServices))
        }
        let web = try require(names.first { $0.labels["name"] == "web" }, "web was never named")
        #expect(web.labels["network"] == "app" && web.labels["virtual_ip"] == run.services["web_vip"])
        let docker = run.series.filter { $0.name == "ipvs_names_up" && $0.labels["source"] == "docker" }
        let lastUp = try require(docker.first?.points.last(where: { !$0.value.isNaN }), "no ipvs_names_up")
        #expect(lastUp.value == 1)
    }

    @Test func seriesThatWentGetOneStalenessMarker() async throws {
        let run = try await Self.load()
        let ingress = "/var/run/docker/netns/ingress_sbox"
        let app2LB = try require(run.services["app2_lb"], "no app2_lb")
        let service1 = try require(run.services["service_1_mark"], "no service_1_mark")
        let (scale, remove, network, gone) = (
            try run.step("scale"), try run.step("remove"), try run.step("network"), try run.step("gone")
        )

        // No series is marked stale twice.
        for series in run.series {
            #expect(series.points.filter(\.value.isNaN).count <= 1, "\(series.key)")
        }
        // service_1's series: the marker after the last cycle that saw it, nothing after.
        let removed = run.docker("ipvs_service_connections_total").filter {
            $0.labels["namespace"] == ingress && $0.labels["fwmark"] == service1
        }
        #expect(removed.count == 1)
        for series in removed {
            let last = try require(series.points.last, "\(series.key) has no points")
            #expect(last.value.isNaN, "\(series.key) ends with \(last)")
            #expect(
                last.timestamp > scale.end && last.timestamp < remove.begin,
                "\(series.key): marker at \(last.timestamp)")
        }
        // Every series of the namespace that went ends with its marker.
        let namespaceSeries = run.series.filter { $0.labels["namespace"] == app2LB }
        #expect(namespaceSeries.count > 10)
        for series in namespaceSeries {
            let last = try require(series.points.last, "\(series.key) has no points")
            #expect(last.value.isNaN, "\(series.key) ends with \(last)")
            #expect(
                last.timestamp > network.end && last.timestamp < gone.begin,
                "\(series.key): marker at \(last.timestamp)")
        }
    }

    @Test func theGroupOfTheNamespaceThatWentIsDeleted() async throws {
        let run = try await Self.load()
        let ingress = "/var/run/docker/netns/ingress_sbox"
        let appLB = try require(run.services["app_lb"], "no app_lb")
        let app2LB = try require(run.services["app2_lb"], "no app2_lb")
        func groups(_ file: String) throws -> [String: PushgatewayGroup] {
            let groups = try PushgatewayGroup.parse(Data(try run.results.bytes(file)))
            return Dictionary(groups.map { ($0.labels["namespace"] ?? "", $0) }) { first, _ in first }
        }
        let network = try groups("steps/network/pushgateway.json")
        #expect(Set(network.keys) == ["", ingress, appLB, app2LB])
        let gone = try groups("steps/gone/pushgateway.json")
        #expect(Set(gone.keys) == ["", ingress, appLB])
        #expect(Set(try groups("pushgateway-final.json").keys) == ["", ingress, appLB])
        // The gateway holds the numbers ipvsadm lists.
        let stats = try require(try run.step("gone").stats[ingress], "no ingress listing")
        let pushed = try require(
            gone[ingress]?.families["ipvs_service_connections_total"], "nothing pushed for the ingress")
        for service in stats.services {
            let value = pushed.series.first { $0.key.labels["fwmark"] == service.key.fwmark.map(String.init) }?.value
            #expect(value == Double(service.numbers[0]), "\(service.key)")
        }
    }
}
