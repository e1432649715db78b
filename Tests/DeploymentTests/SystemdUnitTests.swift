import Exposition
import Foundation
import TestSupport
import Testing

/// deploy/systemd/ipvs-push.service: systemd's own checks on the file, and — since no service
/// manager runs here — what its sandbox allows against what ipvs-push really does: the lab's
/// `deployment` scenario runs `ipvs-push run --config` as the unit would (a non-root user with
/// CAP_NET_ADMIN and CAP_SYS_ADMIN ambient) under strace.
@Suite("systemd unit")
struct SystemdUnitTests {
    static let file = "deploy/systemd/ipvs-push.service"

    static func unit() throws -> SystemdUnit {
        try SystemdUnit(text: try DeploymentCommand.repositoryFile(file))
    }

    /// The unit with ExecStart pointing at the binary under test, in a directory of its own
    /// (systemd-analyze checks that the program exists).
    static func installedCopy() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-unit-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let text = try DeploymentCommand.repositoryFile(file)
            .replacingOccurrences(of: "/usr/local/bin/ipvs-push", with: try ProductBinary.path())
        let copy = directory.appendingPathComponent("ipvs-push.service")
        try text.write(to: copy, atomically: true, encoding: .utf8)
        return copy
    }

    static func seconds(_ text: String) -> Double? {
        if text.hasSuffix("min") { return Double(text.dropLast(3)).map { $0 * 60 } }
        if text.hasSuffix("s") { return Double(text.dropLast()) }
        return Double(text)
    }

    @Test func systemdAnalyzeVerifyAcceptsIt() throws {
        let copy = try Self.installedCopy()
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let (status, output) = try ShellCommand.run(["systemd-analyze", "verify", copy.path])
        #expect(status == 0 && output.isEmpty, "systemd-analyze verify (exit \(status)):\n\(output)")
    }

    @Test func systemdRatesItsExposureLow() throws {
        let copy = try Self.installedCopy()
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let (status, output) = try ShellCommand.run(["systemd-analyze", "security", "--offline=yes", copy.path])
        #expect(status == 0, "\(output)")
        let line = output.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        #expect(score != nil && score! <= 2.5, "exposure: \(line)")
    }

    @Test func capabilitiesAreNetAdminAndSysAdminOnly() throws {
        let unit = try Self.unit()
        let wanted: Set<String> = ["CAP_NET_ADMIN", "CAP_SYS_ADMIN"]
        #expect(Set(unit.words("Service", "AmbientCapabilities")) == wanted)
        #expect(Set(unit.words("Service", "CapabilityBoundingSet")) == wanted)
        #expect(unit.value("Service", "NoNewPrivileges") == "yes")
        #expect(unit.value("Service", "DynamicUser") == "yes")
        #expect(unit.value("Service", "User") == nil)
    }

    @Test func runsTheConfigFileAndReloadsOnSIGHUP() throws {
        let unit = try Self.unit()
        #expect(
            unit.value("Service", "ExecStart") == "/usr/local/bin/ipvs-push run --config /etc/ipvs-push/ipvs-push.yml")
        #expect(unit.value("Service", "ExecReload") == "/bin/kill -HUP $MAINPID")
        #expect(unit.value("Service", "Restart") == "on-failure")
        #expect(unit.value("Install", "WantedBy") == "multi-user.target")
    }

    @Test func stopTimeoutOutlastsTheQueueDrain() throws {
        let unit = try Self.unit()
        let example = try DeploymentCommand.repositoryFile("examples/ipvs-push.yml")
        let grace = example.split(separator: "\n").first { $0.contains("shutdown_grace:") }?
            .split(separator: ":")[1].split(separator: " ").first.flatMap { Self.seconds(String($0)) }
        let timeout = unit.value("Service", "TimeoutStopSec").flatMap(Self.seconds)
        #expect(
            grace != nil && timeout != nil && timeout! > grace! + 5,
            "TimeoutStopSec \(timeout ?? -1) vs shutdown_grace \(grace ?? -1)")
    }

    @Test func theStateDirectoryIsTheExamplesQueueDirectory() throws {
        let unit = try Self.unit()
        let example = try DeploymentCommand.repositoryFile("examples/ipvs-push.yml")
        #expect(unit.value("Service", "StateDirectory") == "ipvs-push")
        #expect(example.contains("queue_directory: /var/lib/ipvs-push"))
    }

    @Test func namespacesStayReachable() throws {
        let unit = try Self.unit()
        // The namespace files live under /run; the host's network namespace and the initial
        // user namespace must stay the service's own.
        for key in [
            "InaccessiblePaths", "TemporaryFileSystem", "PrivateNetwork", "PrivateUsers", "NetworkNamespacePath",
        ] {
            #expect(unit.value("Service", key) == nil, "\(key) would hide the namespaces or IPVS")
        }
        #expect(unit.value("Service", "ProcSubset") == nil, "ProcSubset=pid hides /proc/sys/kernel/cap_last_cap")
        #expect(unit.words("Service", "RestrictNamespaces") == ["net"])
        #expect(unit.words("Service", "RestrictAddressFamilies").contains("AF_NETLINK"))
    }

    // MARK: What ipvs-push did in the lab, against the sandbox

    static func trace() async throws -> StraceLog {
        try StraceLog(text: try await DeploymentLabRun.strace.text("strace.log"), program: "ipvs-push")
    }

    @Test func everySystemCallIsInTheFilter() async throws {
        let unit = try Self.unit()
        var allowed: Set<String> = []
        for entry in unit.words("Service", "SystemCallFilter") {
            if entry.hasPrefix("~") {
                allowed.subtract(
                    entry.hasPrefix("~@")
                        ? try SyscallGroups.expand(String(entry.dropFirst())) : [String(entry.dropFirst())])
            } else {
                allowed.formUnion(entry.hasPrefix("@") ? try SyscallGroups.expand(entry) : [entry])
            }
        }
        let used = try await Self.trace().names
        // The run covered the drop, namespace entry and the iptables child.
        #expect(
            used.isSuperset(of: ["capset", "setns", "rt_tgsigqueueinfo", "execve", "connect", "accept4"]),
            "\(used.sorted())")
        #expect(used.subtracting(allowed).isEmpty, "outside SystemCallFilter: \(used.subtracting(allowed).sorted())")
    }

    @Test func noMemoryIsWritableAndExecutable() async throws {
        let trace = try await Self.trace()
        let mappings = trace.calls.filter { ["mmap", "mprotect", "pkey_mprotect"].contains($0.name) }
        #expect(mappings.count > 10)
        let both = mappings.filter { $0.arguments.contains("PROT_WRITE") && $0.arguments.contains("PROT_EXEC") }
        #expect(both.isEmpty, "MemoryDenyWriteExecute would refuse: \(both.prefix(3).map(\.arguments))")
    }

    @Test func socketsAreOfAllowedFamilies() async throws {
        let allowed = Set(try Self.unit().words("Service", "RestrictAddressFamilies"))
        let families = try await Self.trace().calls.filter { $0.name == "socket" }.map {
            String($0.arguments.prefix { $0 != "," })
        }
        #expect(Set(families).isSuperset(of: ["AF_NETLINK", "AF_INET"]))
        #expect(Set(families).isSubset(of: allowed), "families: \(Set(families).sorted())")
    }

    @Test func onlyNetworkNamespacesAreJoined() async throws {
        let calls = try await Self.trace().calls
        let joins = calls.filter { $0.name == "setns" }
        #expect(!joins.isEmpty)
        for join in joins {
            #expect(
                join.arguments.split(separator: ",").dropFirst().first?.trimmingCharacters(in: .whitespaces)
                    .hasPrefix("CLONE_NEWNET") == true, "setns(\(join.arguments)")
        }
        let creating = calls.filter {
            ["unshare", "clone", "clone3"].contains($0.name) && $0.arguments.contains("CLONE_NEW")
        }
        #expect(creating.isEmpty, "RestrictNamespaces=net forbids creating namespaces: \(creating.map(\.arguments))")
    }

    @Test func writesStayInTheQueueDirectory() async throws {
        let config = try await DeploymentLabRun.strace.text("config.yml")
        let queue = try #require(
            config.split(separator: "\n").first { $0.contains("queue_directory:") }?
                .split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces))
        let trace = try await Self.trace()
        let opened = trace.paths(of: ["open", "openat", "creat"]).filter { entry in
            let flags = entry.call.arguments
            return flags.contains("O_WRONLY") || flags.contains("O_RDWR") || flags.contains("O_CREAT")
        }
        #expect(!opened.isEmpty)
        for (call, path) in opened where !(path.hasPrefix(queue + "/") || path == "/dev/null") {
            Issue.record("written outside the state directory (ProtectSystem=strict): \(call.name)(\(call.arguments)")
        }
        let changed = trace.paths(of: [
            "mkdir", "mkdirat", "rename", "renameat", "renameat2", "unlink", "unlinkat", "rmdir",
        ])
        for (call, path) in changed where !path.hasPrefix(queue) && !call.result.contains("EEXIST") {
            Issue.record("changed outside the state directory: \(call.name)(\(call.arguments)")
        }
    }

    @Test func theServiceUserEndsWithNetAdminAndReadsBothNamespaces() async throws {
        #expect(try await DeploymentLabRun.strace.text("run.rc").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let threads = try await DeploymentLabRun.strace.text("run.threads").components(separatedBy: "\n\n").filter {
            !$0.isEmpty
        }
        #expect(threads.count >= 4)
        for thread in threads {
            for field in ["CapEff", "CapPrm", "CapInh", "CapAmb"] {
                #expect(thread.contains("\(field):\t0000000000001000"), "\(field) in\n\(thread)")
            }
            #expect(thread.contains("NoNewPrivs:\t1"), "\(thread)")
        }
        for file in ["run.first.prom", "run.second.prom"] {
            let text = try await DeploymentLabRun.strace.text(file)
            let parsed = try ExpositionParser.parse(Array(text.utf8), source: file, format: nil)
            let samples = Array(parsed.families.lazy.flatMap(\.samples))
            for namespace in ["", "/var/run/docker/netns/ingress_sbox"] {
                let up = samples.first { $0.name == "ipvs_up" && $0.labels["namespace"] == namespace }
                #expect(up?.value == 1, "\(file): ipvs_up{namespace=\"\(namespace)\"}")
            }
            let marked = samples.first { $0.name == "ipvs_service_connections_total" && $0.labels["fwmark"] == "260" }
            #expect(marked?.labels["port"] == "30000", "\(file): the MARK rule's port")
        }
    }
}
