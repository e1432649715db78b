import Exposition
import Foundation
import TestSupport
import Testing

/// ipvs-push deployed the way a Swarm operator deploys it (Lab/scenarios/swarm-deploy.sh): the
/// image built by the real Engine from deploy/docker/Dockerfile's `runtime-prebuilt` target with
/// the `make release` binary, run as a global service with README.md's command verbatim; its
/// /metrics against ipvsadm in ingress_sbox and the overlay network's lb_ namespace.
///
/// Needs the `make release` binary (IPVS_PUSH_RELEASE, default .build/static/release/ipvs-push;
/// `make test` builds it first and passes it) and the lab's base image, which
/// Lab/host/base-image.sh makes once (debootstrap, as root) and caches in /var/cache/ipvs-push-lab.
/// IPVS_LAB_SWARM_DEPLOY_RESULTS=DIR checks an existing output directory instead of booting.
@Suite("Swarm: ipvs-push deployed as the README's global service", .serialized)
struct LabSwarmDeployTests {
    static let resultsVariable = "IPVS_LAB_SWARM_DEPLOY_RESULTS"

    static let lab = Task<LabResults, any Error> {
        var environment: [String: String] = [:]
        if (ProcessInfo.processInfo.environment[resultsVariable] ?? "").isEmpty {
            environment = ["IPVS_PUSH_RELEASE": try releaseBinary(), "IPVS_LAB_BASE_IMAGE": try baseImage()]
        }
        return LabResults(
            directory: try await LabScenario(
                "swarm-deploy", memory: "2G", timeoutSeconds: 1200, resultsVariable: resultsVariable,
                environment: environment,
                logs: ["image/build.log", "service/create.log", "service/logs.txt", "logs/dockerd.log"],
                requires: ["/usr/sbin/dockerd": "docker.io", "/usr/bin/jq": "jq"]
            ).run())
    }

    /// The binary `make release` built.
    static func releaseBinary() throws -> String {
        let path =
            ProcessInfo.processInfo.environment["IPVS_PUSH_RELEASE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ProductBinary.packageRoot.appendingPathComponent(".build/static/release/ipvs-push").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestFailure(
                "\(path) is missing: the swarm-deploy scenario builds its image from `make release`'s binary (make test builds it)"
            )
        }
        return path
    }

    /// The lab's debian:bookworm-slim, made (once) by Lab/host/base-image.sh; its path is the
    /// script's last line.
    static func baseImage() throws -> String {
        let script = ProductBinary.packageRoot.appendingPathComponent("Lab/host/base-image.sh").path
        let output = try ShellCommand.check([script])
        return try require(
            output.split(separator: "\n").last.map(String.init).flatMap { $0.hasPrefix("/") ? $0 : nil },
            "\(script) printed no path: \(output)")
    }

    static func json(_ results: LabResults, _ file: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(try results.bytes(file)))
    }

    /// The README's global-service command: the lines from `docker service create --name
    /// ipvs-push --mode global` to the first one without a trailing backslash.
    static func readmeCommand(_ file: String) throws -> String {
        let text = try String(
            contentsOf: ProductBinary.packageRoot.appendingPathComponent(file), encoding: .utf8)
        var lines: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if lines.isEmpty && !line.hasPrefix("docker service create --name ipvs-push --mode global") { continue }
            lines.append(line)
            if !line.hasSuffix("\\") { break }
        }
        return try require(lines.isEmpty ? nil : lines.joined(separator: "\n"), "\(file) has no global-service command")
    }

    /// `Cap*:` lines of a /proc status file.
    static func capabilities(_ status: String) -> [String: String] {
        var sets: [String: String] = [:]
        for line in status.split(separator: "\n") where line.hasPrefix("Cap") || line.hasPrefix("NoNewPrivs") {
            let fields = line.split(separator: "\t")
            if fields.count == 2 { sets[String(fields[0].dropLast())] = String(fields[1]) }
        }
        return sets
    }

    @Test func theImageWasBuiltFromThePrebuiltBinaryWithoutTheNetwork() async throws {
        let results = try await Self.lab.value
        #expect(try results.exitStatus("image/build.rc") == 0)
        let command = try results.text("image/build.cmd")
        #expect(command.hasPrefix("DOCKER_BUILDKIT=0 docker build "), "\(command)")
        #expect(command.contains("--target runtime-prebuilt --build-arg IPVS_PUSH_BINARY=ipvs-push"), "\(command)")
        let log = try results.text("image/build.log")
        // The legacy builder ran the runtime-base stage and the prebuilt COPY, nothing of the Swift stage.
        #expect(log.contains("every runtime package is installed already"), "\(log)")
        // (The RUN's own text is on its `Step` line; the rest is what the steps printed.)
        let printed = log.split(separator: "\n").filter { !$0.hasPrefix("Step ") }
        #expect(
            !printed.contains {
                $0.hasPrefix("installing:") || $0.hasPrefix("Get:") || $0.contains("Reading package lists")
            },
            "\(log)")
        #expect(log.contains("COPY ${IPVS_PUSH_BINARY} /usr/local/bin/ipvs-push"), "\(log)")
        #expect(log.contains("RUN setcap cap_net_admin,cap_sys_admin+p /usr/local/bin/ipvs-push"), "\(log)")
        #expect(!log.contains(" AS build") && !log.contains("swift build"), "\(log)")
        #expect(log.contains("Successfully tagged ipvs-push:latest"), "\(log)")

        // The task runs exactly that binary, with the file capabilities set before the build.
        let release = try results.text("image/release.sha256").split(separator: " ").first.map(String.init)
        let process = try results.environment("service/process.env")
        #expect(release?.count == 64 && process["exe_sha256"] == release, "image \(process), release \(release ?? "")")
        #expect(try results.text("image/layer.getcap").contains("cap_net_admin,cap_sys_admin=p"))
        #expect(try results.text("service/exe.getcap").contains("cap_net_admin,cap_sys_admin=p"))

        let image = try require((try Self.json(results, "image/inspect.json") as? [[String: Any]])?.first, "no image")
        let config = try require(image["Config"] as? [String: Any], "no Config")
        #expect(config["User"] as? String == "10001:10001")
        #expect(config["Entrypoint"] as? [String] == ["/usr/local/bin/ipvs-push"])
        #expect((config["ExposedPorts"] as? [String: Any])?.keys.sorted() == ["9100/tcp"])
    }

    @Test func theServiceIsTheReadmesCommand() async throws {
        let results = try await Self.lab.value
        let readme = try Self.readmeCommand("README.md")
        #expect(try results.text("service/command.sh").trimmingCharacters(in: .newlines) == readme)
        #expect(try Self.readmeCommand("deploy/README.md") == readme, "deploy/README.md and README.md differ")
        let createLog = try results.text("service/create.log")
        #expect(try results.exitStatus("service/create.rc") == 0, "\(createLog)")

        let service = try require(
            (try Self.json(results, "service/inspect.json") as? [[String: Any]])?.first, "no service")
        let spec = try require(service["Spec"] as? [String: Any], "no Spec")
        #expect((spec["Mode"] as? [String: Any])?["Global"] != nil, "\(spec["Mode"] ?? "")")
        let task = try require(spec["TaskTemplate"] as? [String: Any], "no TaskTemplate")
        let container = try require(task["ContainerSpec"] as? [String: Any], "no ContainerSpec")
        #expect(
            container["Args"] as? [String] == [
                "serve", "--namespace-glob", "/var/run/docker/netns/*", "--docker-host", "unix:///var/run/docker.sock",
            ])
        #expect(container["CapabilityDrop"] as? [String] == ["ALL"])
        #expect(container["CapabilityAdd"] as? [String] == ["CAP_NET_ADMIN", "CAP_SYS_ADMIN"])
        let gid = try require(try results.environment("services.env")["docker_sock_gid"], "no docker_sock_gid")
        #expect(container["Groups"] as? [String] == [gid])
        let mounts = (container["Mounts"] as? [[String: Any]] ?? []).map {
            let propagation = ($0["BindOptions"] as? [String: Any])?["Propagation"] as? String ?? "-"
            return
                "\($0["Type"] ?? "") \($0["Source"] ?? "") \($0["Target"] ?? "") \($0["ReadOnly"] as? Bool ?? false) \(propagation)"
        }
        #expect(
            mounts == [
                "bind /var/run/docker/netns /var/run/docker/netns true rslave",
                "bind /var/run/docker.sock /var/run/docker.sock true -",
            ])
        // --network host: the task's one network is Swarm's predefined `host`, and so is its container's.
        let networks = (task["Networks"] as? [[String: Any]] ?? []).compactMap { $0["Target"] as? String }
        let swarmNetworks = ((try Self.json(results, "api/tasks.json") as? [[String: Any]]) ?? [])
            .flatMap { $0["NetworksAttachments"] as? [[String: Any]] ?? [] }
            .compactMap { $0["Network"] as? [String: Any] }
        let host =
            swarmNetworks.first { ($0["Spec"] as? [String: Any])?["Name"] as? String == "host" }?["ID"] as? String
        #expect(host != nil && networks == [host ?? ""], "\(networks), host \(host ?? "none")")
        let hostConfig =
            (try Self.json(results, "service/container.json") as? [[String: Any]])?.first?["HostConfig"]
            as? [String: Any]
        #expect(hostConfig?["NetworkMode"] as? String == "host")
        #expect(hostConfig?["CapDrop"] as? [String] == ["ALL"] && hostConfig?["GroupAdd"] as? [String] == [gid])
    }

    @Test func oneTaskRunsAsUid10001WithOnlyTheCapabilitiesItNeeds() async throws {
        let results = try await Self.lab.value
        let tasks = try results.text("service/ps.txt").split(separator: "\n").map {
            $0.split(separator: "\t").map(String.init)
        }
        #expect(tasks.count == 1, "\(tasks)")
        #expect(tasks.first?[2] == "Running" && tasks.first?[3].hasPrefix("Running") == true, "\(tasks)")

        let process = try results.environment("service/process.env")
        #expect(process["uid"] == "10001 10001 10001 10001", "\(process)")
        #expect(process["gid"] == "10001 10001 10001 10001", "\(process)")
        let gid = try require(try results.environment("services.env")["docker_sock_gid"], "no docker_sock_gid")
        // The socket's group (--group) besides the image user's own.
        #expect(Set(process["groups"]?.split(separator: " ").map(String.init) ?? []) == [gid, "10001"], "\(process)")

        // Every thread: CAP_NET_ADMIN (bit 12) and CAP_SYS_ADMIN (bit 21, kept for the pattern)
        // effective and permitted, from the file capabilities, and nothing else; the bounding set
        // is what --cap-drop ALL --cap-add left. Nothing to drop, but the children (iptables-nft-save)
        // get CAP_NET_ADMIN through the ambient set (so inheritable holds both), and no_new_privs is set.
        let both = "0000000000201000"
        let threads = try FileManager.default.contentsOfDirectory(atPath: results.path("service/task-status"))
        #expect(threads.count > 1, "\(threads) \(process)")
        for thread in threads + [".."] {
            let file = thread == ".." ? "service/status" : "service/task-status/\(thread)"
            let sets = Self.capabilities(try results.text(file))
            #expect(sets["CapEff"] == both && sets["CapPrm"] == both && sets["CapBnd"] == both, "\(file): \(sets)")
            #expect(sets["CapInh"] == both && sets["CapAmb"] == "0000000000001000", "\(file): \(sets)")
            #expect(sets["NoNewPrivs"] == "1", "\(file): \(sets)")
        }
        let logs = try results.text("service/logs.txt")
        #expect(
            logs.contains(
                "msg=\"made the permitted capabilities effective\" source=Collector effective=CAP_NET_ADMIN,CAP_SYS_ADMIN"
            ),
            "\(logs)")
        #expect(!logs.contains("level=warning") && !logs.contains("level=error"), "\(logs)")
    }

    /// Series key: name, namespace, fwmark, real server.
    static func key(_ name: String, _ namespace: String, _ mark: String, _ destination: String = "") -> String {
        "\(name) \(namespace) fwmark=\(mark) \(destination)"
    }

    @Test func everyCounterEqualsIpvsadm() async throws {
        let results = try await Self.lab.value
        let capture = try results.environment("truth/capture.env")
        #expect(capture["stable"] == "yes", "\(capture)")
        #expect(try results.exitStatus("metrics.rc") == 0)
        let traffic = try results.environment("traffic.env")
        #expect(traffic["ingress_failed"] == "0" && traffic["vip_failed"] == "0", "\(traffic)")

        var expected: [String: Double] = [:]
        var connections: [String: UInt64] = [:]
        let namespaces = try results.text("truth/namespaces.tsv").split(separator: "\n").map {
            $0.split(separator: "\t").map(String.init)
        }
        #expect(namespaces.map { $0[0] }.first == "ingress_sbox" && namespaces.count == 2, "\(namespaces)")
        for fields in namespaces {
            let (name, path) = (fields[0], fields[1])
            let stats = try IPVSAdmParser.parse(
                try results.text("truth/ipvsadm.\(name).stats"), mode: .stats, source: "truth/ipvsadm.\(name).stats")
            let before = try IPVSAdmParser.parse(
                try results.text("truth/ipvsadm.\(name).stats.before"), mode: .stats, source: "before")
            #expect(stats == before, "\(name): ipvsadm moved during the scrape")
            for service in stats.services {
                let mark = try require(service.key.fwmark, "\(name): \(service.key) is not a firewall-mark service")
                connections["\(path) \(mark)"] = service.numbers[0]
                for (index, metric) in NamespaceTruth.counterNames.enumerated() {
                    expected[Self.key("ipvs_service_\(metric)_total", path, String(mark))] = Double(
                        service.numbers[index])
                    for destination in service.destinations {
                        expected[
                            Self.key(
                                "ipvs_destination_\(metric)_total", path, String(mark),
                                "\(destination.address):\(destination.port)")] = Double(destination.numbers[index])
                    }
                }
            }
        }
        let services = try results.environment("services.env")
        let ingress = "/var/run/docker/netns/ingress_sbox"
        let lb = try require(services["app_lb_netns"], "no app_lb_netns")
        // service_1 (one real server) got the 10 requests through the mesh, web (two) the 5 to its VIP.
        #expect(
            connections["\(ingress) \(services["service_1_mark"] ?? "")"].map { $0 >= 10 } == true, "\(connections)")
        #expect(connections["\(lb) \(services["web_mark"] ?? "")"].map { $0 >= 5 } == true, "\(connections)")
        // Two services and three real servers (service_1's one, web's two), five counters each.
        let wanted = 25
        #expect(expected.count == wanted, "\(expected.keys.sorted())")

        let scrape = try ExpositionParser.parse(try results.text("metrics.prom"), source: "metrics.prom")
        var scraped: [String: Double] = [:]
        for family in scrape.families
        where (family.name.hasPrefix("ipvs_service_") || family.name.hasPrefix("ipvs_destination_"))
            && family.type == .counter
        {
            for sample in family.samples {
                let destination =
                    sample.labels["destination_address"].map { "\($0):\(sample.labels["destination_port"] ?? "")" }
                    ?? ""
                scraped[
                    Self.key(
                        sample.name, sample.labels["namespace"] ?? "", sample.labels["fwmark"] ?? "", destination)] =
                    sample.value
            }
        }
        #expect(scraped == expected)
        for key in Set(expected.keys).union(scraped.keys).sorted() where scraped[key] != expected[key] {
            Issue.record(
                "\(key): /metrics \(scraped[key].map { String($0) } ?? "missing"), ipvsadm \(expected[key].map { String($0) } ?? "none")"
            )
        }
    }

    @Test func everyFirewallMarkServiceCarriesItsDockerName() async throws {
        let results = try await Self.lab.value
        let services = try results.environment("services.env")
        let ingress = "/var/run/docker/netns/ingress_sbox"
        let lb = try require(services["app_lb_netns"], "no app_lb_netns")
        // Every fwmark service ipvsadm lists, with the Docker service it belongs to.
        var marks: [String: String] = [:]
        for (name, path) in [("ingress_sbox", ingress), (String(lb.split(separator: "/").last ?? ""), lb)] {
            let list = try IPVSAdmParser.parse(
                try results.text("truth/ipvsadm.\(name).list"), mode: .list, source: name)
            for service in list.services {
                marks["\(path) \(try require(service.key.fwmark, "\(service.key)"))"] = ""
            }
        }
        #expect(marks.count == 2, "\(marks)")
        let expected = [
            "\(ingress) \(services["service_1_mark"] ?? "")": "service_1", "\(lb) \(services["web_mark"] ?? "")": "web",
        ]
        #expect(Set(marks.keys) == Set(expected.keys), "ipvsadm \(marks.keys.sorted()), scenario \(expected)")

        let scrape = try ExpositionParser.parse(try results.text("metrics.prom"), source: "metrics.prom")
        let info = scrape.families.first { $0.name == "ipvs_service_name_info" }?.samples ?? []
        var named: [String: String] = [:]
        for sample in info {
            named["\(sample.labels["namespace"] ?? "") \(sample.labels["fwmark"] ?? "")"] = sample.labels["name"]
            #expect(sample.value == 1 && sample.labels["source"] == "docker", "\(sample.labels)")
        }
        #expect(named == expected)
        let web = info.first { $0.labels["name"] == "web" }
        #expect(
            web?.labels["network"] == "app" && web?.labels["virtual_ip"] == services["web_vip"],
            "\(web?.labels.pairs ?? [])")
        let dockerServices = ((try Self.json(results, "api/services.json") as? [[String: Any]]) ?? []).compactMap {
            ($0["Spec"] as? [String: Any])?["Name"] as? String
        }
        #expect(Set(dockerServices) == ["ipvs-push", "service_1", "web"], "\(dockerServices)")
        let up = scrape.families.first { $0.name == "ipvs_names_up" }?.samples.first { $0.labels["source"] == "docker" }
        #expect(up?.value == 1)
    }
}
