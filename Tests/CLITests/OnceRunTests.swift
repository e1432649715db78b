import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `once` and `run` on this host, whose kernel has no IPVS: the push path still works and
/// reports `ipvs_up 0` for every namespace, one group each. (The real IPVS numbers are
/// checked in the lab, Tests/LabTests; see ``HostIPVS`` for machines that have IPVS.)
@Suite("once and run: one group per namespace on a real Pushgateway", .pushgateway)
struct OnceRunTests {
    static let collectionFailed: Int32 = 69

    /// The one series a namespace without IPVS gives, besides the collection duration (on a
    /// machine with IPVS, the host namespace must be up instead).
    static func expectDown(_ group: PushgatewayGroup, sourceLocation: SourceLocation = #_sourceLocation) {
        if group.labels["namespace"] == "" && HostIPVS.available {
            // A machine with IPVS: the host namespace is read.
            let up = group.series[PushgatewaySeries("ipvs_up", group.labels)]
            #expect(up == 1, "ipvs_up of \(group.labels)", sourceLocation: sourceLocation)
            return
        }
        let up = group.series[PushgatewaySeries("ipvs_up", group.labels)]
        #expect(up == 0, "ipvs_up of \(group.labels): \(String(describing: up))", sourceLocation: sourceLocation)
        #expect(group.families["ipvs_up"]?.type == "GAUGE", sourceLocation: sourceLocation)
        // Every series carries exactly the grouping key's labels: the namespace label moved there.
        let foreign = group.series.keys.filter { $0.labels != group.labels }
        #expect(foreign.isEmpty, "series with other labels: \(foreign)", sourceLocation: sourceLocation)
        #expect(
            !group.families.keys.contains { $0.hasPrefix("ipvs_service") }, "services without IPVS",
            sourceLocation: sourceLocation)
    }

    @Test("once without IPVS: exit 69, the host namespace's group with ipvs_up 0, instance = host name")
    func onceHostNamespace() async throws {
        let job = "cli-once-host"
        let result = try await CLIRun.run(["once", "--pushgateway", try TestPushgateway.url, "--job", job])
        #expect(result.status == HostIPVS.onceStatus, "\(result)")
        #expect(result.stderr.contains("IPVS") || HostIPVS.available, "\(result)")
        let groups = try await TestPushgateway.groups(job: job)
        try #require(groups.count == 1, "\(groups.map(\.labels))")
        #expect(groups[0].labels == ["job": job, "instance": HostName.current, "namespace": ""])
        Self.expectDown(groups[0])
    }

    @Test("once with --namespace-path and --instance: one group per namespace, each with its own namespace label")
    func onceTwoNamespaces() async throws {
        let job = "cli-once-two"
        let result = try await CLIRun.run([
            "once", "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "edge 1",
            "--namespace-path", "/nonexistent", "--grouping-label", "site=a/b",
        ])
        #expect(result.status == Self.collectionFailed, "\(result)")
        #expect(result.stderr.contains("/nonexistent"), "\(result)")
        let groups = try await TestPushgateway.groups(job: job)
        #expect(
            groups.map(\.labels) == [
                ["job": job, "instance": "edge 1", "site": "a/b", "namespace": ""],
                ["job": job, "instance": "edge 1", "site": "a/b", "namespace": "/nonexistent"],
            ])
        for group in groups { Self.expectDown(group) }
    }

    @Test("once with --no-host-namespace pushes only the paths given")
    func onceNoHostNamespace() async throws {
        let job = "cli-once-no-host"
        let result = try await CLIRun.run([
            "once", "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "x", "--no-host-namespace",
            "--namespace-path", "/nonexistent",
        ])
        #expect(result.status == Self.collectionFailed, "\(result)")
        let groups = try await TestPushgateway.groups(job: job)
        #expect(groups.map(\.labels) == [["job": job, "instance": "x", "namespace": "/nonexistent"]])
    }

    @Test("run --delete-on-exit: pushes every interval; SIGTERM ends it with exit 0 and its groups are deleted")
    func runDeleteOnExit() async throws {
        let job = "cli-run-delete"
        let run = try CLIRun.start([
            "run", "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "r", "--interval", "1s",
            "--namespace-path", "/nonexistent", "--delete-on-exit",
        ])
        let first = try await TestPushgateway.waitForGroups(job: job) { $0.count == 2 }
        for group in first { Self.expectDown(group) }
        // It keeps pushing every second: both groups' push times move on.
        let firstTimes = first.map { $0.pushTime ?? 0 }
        _ = try await TestPushgateway.waitForGroups(job: job, seconds: 15) { groups in
            groups.count == 2 && zip(groups, firstTimes).allSatisfy { ($0.pushTime ?? 0) > $1 }
        }
        #expect(run.isRunning)
        run.signal(SIGTERM)
        let result = try await run.finish(timeout: 20)
        #expect(result.status == 0 && !result.signalled, "\(result)")
        #expect(try await TestPushgateway.groups(job: job).isEmpty, "the groups are still there after --delete-on-exit")
    }

    @Test("run without --delete-on-exit: SIGINT ends it with exit 0, the groups stay")
    func runKeepsGroups() async throws {
        let job = "cli-run-keep"
        let run = try CLIRun.start([
            "run", "--pushgateway", try TestPushgateway.url, "--job", job, "--instance", "r", "--interval", "1s",
        ])
        _ = try await TestPushgateway.waitForGroups(job: job) { $0.count == 1 }
        run.signal(SIGINT)
        let result = try await run.finish(timeout: 20)
        #expect(result.status == 0 && !result.signalled, "\(result)")
        let groups = try await TestPushgateway.groups(job: job)
        try #require(groups.count == 1)
        #expect(groups[0].labels == ["job": job, "instance": "r", "namespace": ""])
        Self.expectDown(groups[0])
    }

    @Test("run stopped while its gateway is unreachable still ends promptly with exit 0")
    func runStopsWithoutGateway() async throws {
        let run = try CLIRun.start([
            "run", "--pushgateway", "http://127.0.0.1:\(FreePort.allocate())", "--interval", "1s", "--timeout", "1s",
            "--delete-on-exit",
        ])
        try await Task.sleep(for: .seconds(2))
        #expect(run.isRunning, "run ended by itself: \(run.stderrSoFar())")
        let stopped = Date()
        run.signal(SIGTERM)
        let result = try await run.finish(timeout: 30)
        #expect(result.status == 0 && !result.signalled, "\(result)")
        #expect(Date().timeIntervalSince(stopped) < 15, "\(result)")
    }
}
