import Collector
import Exposition
import TestSupport
import Testing

@testable import ServiceNames

/// The refresh policy and the failure states of ``DockerServiceNames``, with a stand-in
/// source and a clock moved by hand.
@Suite struct DockerRefreshPolicyTests {
    let clock = ManualClock()
    let source = ScriptedSource()
    let capture = LogCapture()

    func makeNames() -> DockerServiceNames {
        let clock = clock
        return DockerServiceNames(
            source: source, timing: DockerRefreshTiming(minimumInterval: .seconds(5), maximumAge: .seconds(60)),
            logger: capture.logger(level: .info), now: { clock.now() })
    }

    /// One collection of the ingress namespace with `marks`, 0x100 being web_frontend's.
    func ingress(_ marks: [UInt32]) -> [NamespaceCollection] {
        let snapshot = HandMadeSwarm.snapshot(
            "/var/run/docker/netns/ingress_sbox", marks: marks, addresses: [0x100: ["10.0.0.5"]])
        return [NamespaceCollection(namespace: snapshot.namespace, result: .success(snapshot), durationSeconds: 0)]
    }

    /// Names one collection and waits for the read it may have started.
    func collect(_ namer: ServiceNamer, _ marks: [UInt32]) async -> [String?] {
        var collections = ingress(marks)
        namer.name(&collections)
        await namer.docker?.waitForRead()
        return (try? collections[0].result.get().services.map { $0.name?.name }) ?? []
    }

    @Test func theFirstCollectionStartsAReadAndTheNextIsNamed() async throws {
        source.answer(.success(try HandMadeSwarm.inventory()))
        let namer = ServiceNamer(docker: makeNames(), file: nil)
        #expect(await collect(namer, [0x100]) == [nil])
        #expect(source.reads == 1)
        #expect(await collect(namer, [0x100]) == ["web_frontend"])
        #expect(source.reads == 1)
    }

    @Test func noReadWhileEveryMarkIsNamedUntilTheMaximumAge() async throws {
        source.answer(.success(try HandMadeSwarm.inventory()))
        let names = makeNames()
        let namer = ServiceNamer(docker: names, file: nil)
        await namer.refreshNow()
        #expect(source.reads == 1)
        for _ in 0..<11 {
            clock.advance(.seconds(5))
            #expect(await collect(namer, [0x100]) == ["web_frontend"])
        }
        #expect(source.reads == 1)
        clock.advance(.seconds(5))
        #expect(await collect(namer, [0x100]) == ["web_frontend"])
        #expect(source.reads == 2)
    }

    @Test func anUnnamedMarkReadsAgainButNotMoreOftenThanTheMinimum() async throws {
        source.answer(.success(try HandMadeSwarm.inventory()))
        let namer = ServiceNamer(docker: makeNames(), file: nil)
        await namer.refreshNow()
        // 0x1ff is no service Docker knows: it asks for a read, at most every 5 s.
        #expect(await collect(namer, [0x100, 0x1ff]) == ["web_frontend", nil])
        #expect(source.reads == 1)
        clock.advance(.seconds(4))
        _ = await collect(namer, [0x100, 0x1ff])
        #expect(source.reads == 1)
        clock.advance(.seconds(1))
        _ = await collect(namer, [0x100, 0x1ff])
        #expect(source.reads == 2)
        clock.advance(.seconds(3))
        _ = await collect(namer, [0x100, 0x1ff])
        #expect(source.reads == 2)
        clock.advance(.seconds(2))
        _ = await collect(namer, [0x100, 0x1ff])
        #expect(source.reads == 3)
    }

    @Test func unnamedMarksOutsideDockerNamespacesDoNotAskForReads() async throws {
        source.answer(.success(try HandMadeSwarm.inventory()))
        let names = makeNames()
        let namer = ServiceNamer(docker: names, file: nil)
        await namer.refreshNow()
        let director = HandMadeSwarm.snapshot("/run/netns/director", marks: [7])
        var collections = [
            NamespaceCollection(namespace: "/run/netns/director", result: .success(director), durationSeconds: 0)
        ]
        clock.advance(.seconds(30))
        namer.name(&collections)
        await names.waitForRead()
        #expect(source.reads == 1)
    }

    @Test func onlyOneReadRunsAtATime() async throws {
        source.answer(.success(try HandMadeSwarm.inventory()))
        source.hold()
        let names = makeNames()
        let namer = ServiceNamer(docker: names, file: nil)
        var collections = ingress([0x100])
        namer.name(&collections)
        for _ in 0..<3 {
            clock.advance(.seconds(10))
            namer.name(&collections)
        }
        // The held read has begun: the one read under way.
        while source.reads == 0 { await Task.yield() }
        #expect(source.reads == 1)
        source.release()
        await names.waitForRead()
        #expect(source.reads == 1)
        #expect(await collect(namer, [0x100]) == ["web_frontend"])
    }

    @Test func aFailedReadKeepsTheLastNamesUntilTheMaximumAgeThenDropsThem() async throws {
        let inventory = try HandMadeSwarm.inventory()
        source.answer(.success(inventory), .failure(.socketMissing(socket: "/test/docker.sock")))
        let names = makeNames()
        let namer = ServiceNamer(docker: names, file: nil)
        await namer.refreshNow()
        #expect(names.isUp)
        clock.advance(.seconds(30))
        await namer.refreshNow()
        #expect(!names.isUp)
        clock.advance(.seconds(30))
        #expect(await collect(namer, [0x100]) == ["web_frontend"])
        clock.advance(.seconds(1))
        // 61 s after the good read began: dropped, and the unnamed mark asks again.
        #expect(await collect(namer, [0x100]) == [nil])
        #expect(names.inventory()?.serviceCount == nil)
    }

    @Test func logsOneWarningWhenReadsFailAndOneInfoWhenTheyRecover() async throws {
        let inventory = try HandMadeSwarm.inventory()
        source.answer(
            .success(inventory), .failure(.socketMissing(socket: "/test/docker.sock")),
            .failure(.timeout(socket: "/test/docker.sock", path: "/v1.41/services", seconds: 2)),
            .failure(.permissionDenied(socket: "/test/docker.sock")), .success(inventory), .success(inventory))
        let names = makeNames()
        let namer = ServiceNamer(docker: names, file: nil)
        var up: [Double] = []
        for _ in 0..<6 {
            await namer.refreshNow()
            up.append(namesUp(namer).first?.samples.first?.value ?? -1)
        }
        #expect(up == [1, 0, 0, 0, 1, 1])
        let lines = capture.lines
        #expect(lines.count == 3)
        #expect(lines.first?.hasPrefix("info Naming services from Docker") == true)
        #expect(lines.first?.contains("docker.services=6") == true)
        #expect(lines.first?.contains("docker.api_version=1.41") == true)
        #expect(lines.dropFirst().first?.hasPrefix("warning Cannot read service names from Docker") == true)
        #expect(
            lines.dropFirst().first?.contains(
                "error=the Docker socket /test/docker.sock does not exist; is Docker running? (--docker-host)") == true)
        #expect(lines.last?.hasPrefix("info Docker answers again") == true)
    }

    @Test func aFailureFirstIsAWarningAndTheMetricIsZero() async throws {
        source.answer(
            .failure(.status(path: "/v1.41/services", status: 503, message: "This node is not a swarm manager.")))
        let names = makeNames()
        let namer = ServiceNamer(docker: names, file: nil)
        #expect(
            namesUp(namer).first?.samples == [
                Sample(name: "ipvs_names_up", labels: Labels(["source": "docker"]), value: 0)
            ])
        await namer.refreshNow()
        await namer.refreshNow()
        #expect(capture.lines.count == 1)
        #expect(capture.contains(.warning, "HTTP 503: This node is not a swarm manager."))
        #expect(namesUp(namer).first?.samples.map(\.value) == [0])
    }
}
