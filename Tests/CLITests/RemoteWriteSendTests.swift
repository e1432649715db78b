import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ipvs-push send FILE --remote-write URL` end to end: what real receivers (Prometheus 2.42,
/// VictoriaMetrics 1.79) store is read back through their query APIs and compared with the
/// file; what neither can show (the tenant header, the metadata as sent, a 400) is checked
/// on a scripted receiver (TestSupport's ScriptedHTTPServer).
@Suite("send --remote-write: real receivers, tenant, protocol fallback, outage queue, rejection", .serialized)
struct RemoteWriteSendTests {
    static let unreachable: Int32 = 75
    static let rejected: Int32 = 76

    static func milliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Runs `send` on `input` written to a file; returns the result and the clock window
    /// (milliseconds) the run took place in.
    static func send(_ input: RemoteWriteInput, _ arguments: [String], timeout: Double = 60) async throws -> (
        result: CLIRun.Result, window: ClosedRange<Int64>
    ) {
        let files = try ScratchFiles()
        let path = try files.write("input.prom", input.text)
        let before = milliseconds()
        let result = try await CLIRun.run(["send", path] + arguments, timeout: timeout)
        return (result, before...milliseconds())
    }

    static let external = ["source": "cli-test", "room": "outside"]
    static let externalArguments = ["--external-label", "source=cli-test", "--external-label", "room=outside"]

    @Test("Prometheus 2.42 stores the file's values, own and stamped timestamps, labels and external labels")
    func prometheus() async throws {
        let prometheus = try await ExternalServer.prometheus()
        defer { prometheus.stop() }
        let now = Self.milliseconds()
        let input = RemoteWriteInput.families(prefix: "cli_rw_prom", own: (now - 120_000, now - 60_000))
        let (result, window) = try await Self.send(
            input, ["--remote-write", prometheus.baseURL + "/api/v1/write"] + Self.externalArguments)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        let stored = try await ReceiverReadBack.prometheus(
            prometheus.baseURL, "{__name__=~\"cli_rw_prom_.+\"}", at: window.upperBound + 1000)
        let problems = input.problems(stored: stored, external: Self.external, window: window)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // The series' own label wins over the external one of the same name.
        #expect(stored.contains { $0.labels["room"] == "lab" } && stored.contains { $0.labels["room"] == "outside" })
    }

    /// Prometheus 2.42 does not keep the metadata of remote-written series (its write handler
    /// reads only the samples; storing metadata came in 2.50 behind a feature flag), so
    /// `/api/v1/metadata` stays empty whatever is sent. The metadata as sent is checked in
    /// ``recordedRequest()``.
    @Test("Prometheus 2.42's /api/v1/metadata shows nothing for remote-written series")
    func prometheusMetadata() async throws {
        let prometheus = try await ExternalServer.prometheus()
        defer { prometheus.stop() }
        let now = Self.milliseconds()
        let input = RemoteWriteInput.families(prefix: "cli_rw_meta", own: (now - 2000, now - 1000))
        let (result, _) = try await Self.send(input, ["--remote-write", prometheus.baseURL + "/api/v1/write"])
        #expect(result.status == 0, "\(result)")
        let metadata = try await ReceiverReadBack.prometheusMetadata(prometheus.baseURL)
        #expect(!metadata.keys.contains { $0.hasPrefix("cli_rw_meta") }, "2.42 kept metadata now: \(metadata)")
    }

    @Test("VictoriaMetrics stores the file's values, own and stamped timestamps, labels and external labels")
    func victoriaMetrics() async throws {
        let victoria = try await ExternalServer.victoriaMetrics()
        defer { victoria.stop() }
        let now = Self.milliseconds()
        let input = RemoteWriteInput.families(prefix: "cli_rw_vm", own: (now - 120_000, now - 60_000))
        let (result, window) = try await Self.send(
            input, ["--remote-write", victoria.baseURL + "/api/v1/write"] + Self.externalArguments)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
        let stored = try await ReceiverReadBack.victoria(victoria.baseURL, "{__name__=~\"cli_rw_vm_.+\"}")
        let problems = input.problems(stored: stored, external: Self.external, window: window)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test(
        "--protocol v2 to receivers that speak only 1.0: falls back, the data arrives, exit 0",
        arguments: ["prometheus", "victoria-metrics"])
    func protocolFallback(_ receiver: String) async throws {
        let server =
            receiver == "prometheus"
            ? try await ExternalServer.prometheus() : try await ExternalServer.victoriaMetrics()
        defer { server.stop() }
        let now = Self.milliseconds()
        let input = RemoteWriteInput.families(prefix: "cli_rw_v2", own: (now - 30_000, now - 20_000))
        let (result, window) = try await Self.send(
            input, ["--remote-write", server.baseURL + "/api/v1/write", "--protocol", "v2", "--log-level", "warning"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("falling back to 1.0"), "no fallback warning: \(result)")
        let selector = "{__name__=~\"cli_rw_v2_.+\"}"
        let stored =
            receiver == "prometheus"
            ? try await ReceiverReadBack.prometheus(server.baseURL, selector, at: window.upperBound + 1000)
            : try await ReceiverReadBack.victoria(server.baseURL, selector)
        let problems = input.problems(stored: stored, window: window)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("--tenant sends X-Scope-OrgID; the request carries the series, external labels and metadata as in the file")
    func recordedRequest() async throws {
        let receiver = try ScriptedHTTPServer([.text(204)])
        let now = Self.milliseconds()
        let input = RemoteWriteInput.families(prefix: "cli_rw_rec", own: (now - 5000, now - 4000))
        let (result, window) = try await Self.send(
            input, ["--remote-write", receiver.url("/api/v1/write"), "--tenant", "team-a"] + Self.externalArguments)
        #expect(result.status == 0, "\(result)")
        // One request per shard that holds series (the sender spreads series over shards).
        let requests = receiver.requests
        try #require(!requests.isEmpty)
        for request in requests {
            #expect(request.method == "POST" && request.target == "/api/v1/write")
            #expect(request.headers["x-scope-orgid"] == "team-a", "\(request.headers)")
            #expect(request.headers["content-encoding"] == "snappy")
            #expect(request.headers["content-type"] == "application/x-protobuf")
            #expect(request.headers["x-prometheus-remote-write-version"] == "0.1.0")
        }
        let bodies = try requests.map { try WriteRequestV1(compressed: $0.body) }
        let sent = bodies.flatMap(\.series).map { StoredSeries(labels: $0.labels, points: $0.points) }
        let problems = input.problems(stored: sent, external: Self.external, window: window)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        // Each request carries the metadata of the families its series belong to.
        for body in bodies {
            let families = Set(body.series.map { Self.family(of: $0.labels["__name__"] ?? "", in: input) })
            #expect(Set(body.metadata.keys) == families, "metadata \(body.metadata.keys.sorted()) for \(families)")
            for (family, metadata) in body.metadata {
                let expected = input.metadata[family] ?? ("unknown", "")
                #expect(metadata.type == expected.type && metadata.help == expected.help, "\(family): \(metadata)")
                #expect(metadata.unit.isEmpty, "\(family): \(metadata)")
            }
        }

        // Without --tenant there is no such header; --max-samples-per-send bounds each request.
        let (second, secondWindow) = try await Self.send(
            input, ["--remote-write", receiver.url("/api/v1/write"), "--max-samples-per-send", "2"])
        #expect(second.status == 0, "\(second)")
        let split = Array(receiver.requests.dropFirst(requests.count))
        #expect(split.count >= (input.series.count + 1) / 2, "\(split.count) requests")
        #expect(split.allSatisfy { $0.headers["x-scope-orgid"] == nil })
        let splitBodies = try split.map { try WriteRequestV1(compressed: $0.body) }
        #expect(splitBodies.allSatisfy { $0.series.count <= 2 }, "\(splitBodies.map(\.series.count))")
        let all = splitBodies.flatMap(\.series).map { StoredSeries(labels: $0.labels, points: $0.points) }
        let splitProblems = input.problems(stored: all, window: secondWindow)
        #expect(splitProblems.isEmpty, "\(splitProblems.joined(separator: "\n"))")
    }

    /// The family a sample name belongs to in `input` (histogram and summary samples carry
    /// suffixes); the name itself for a family without metadata.
    static func family(of name: String, in input: RemoteWriteInput) -> String {
        for suffix in ["_bucket", "_sum", "_count", ""] where name.hasSuffix(suffix) {
            let family = String(name.dropLast(suffix.count))
            if input.metadata[family] != nil { return family }
        }
        return name
    }

    @Test("a receiver that answers 400: exit 76 with its answer shown; the batch is dropped, not queued again")
    func rejection() async throws {
        // Every request of the first send is refused, every later one accepted.
        let receiver = try ScriptedHTTPServer { _, request in
            let series = (try? WriteRequestV1(compressed: request.body).series) ?? []
            return series.contains { $0.labels["phase"] == "first" }
                ? .text(400, "out of bounds: sample too old")
                : .text(204)
        }
        let files = try ScratchFiles()
        let queue = files.path("queue")
        let now = Self.milliseconds()
        let first = RemoteWriteInput.phase("cli_rw_reject", "first", value: 1, own: now - 1000)
        let (result, _) = try await Self.send(
            first, ["--remote-write", receiver.url("/api/v1/write"), "--queue-dir", queue])
        #expect(result.status == Self.rejected, "\(result)")
        #expect(
            result.stderr.contains("out of bounds: sample too old"), "the receiver's answer is not shown: \(result)")
        #expect(result.stderr.contains("rejected 2 sample(s)"), "\(result)")
        let rejectedRequests = receiver.requests.count
        let firstSeries = try receiver.requests.flatMap { try WriteRequestV1(compressed: $0.body).series }
        #expect(firstSeries.count == 2, "a rejected batch was sent again: \(firstSeries.map(\.labels))")

        let next = RemoteWriteInput.phase("cli_rw_reject", "next", value: 2, own: now)
        let (second, window) = try await Self.send(
            next, ["--remote-write", receiver.url("/api/v1/write"), "--queue-dir", queue])
        #expect(second.status == 0, "\(second)")
        let sent = try receiver.requests.dropFirst(rejectedRequests).flatMap {
            try WriteRequestV1(compressed: $0.body).series
        }.map { StoredSeries(labels: $0.labels, points: $0.points) }
        let problems = next.problems(stored: sent, window: window)
        #expect(
            problems.isEmpty,
            "the rejected batch came again or the new one is wrong:\n\(problems.joined(separator: "\n"))")
    }

    @Test("unreachable without --queue-dir: exit 75 within the timeout's bound, the data is said to be lost")
    func unreachableWithoutQueue() async throws {
        let url = "http://127.0.0.1:\(FreePort.allocate())/api/v1/write"
        let input = RemoteWriteInput.phase("cli_rw_lost", "only", value: 1, own: Self.milliseconds())
        let (result, _) = try await Self.send(input, ["--remote-write", url, "--timeout", "1s"], timeout: 30)
        #expect(result.status == Self.unreachable, "\(result)")
        #expect(result.seconds < 10, "\(result)")
        #expect(
            result.stderr.contains("not acknowledged") && result.stderr.contains("the unsent batches are lost"),
            "\(result)")
    }

    @Test("unreachable with --queue-dir: exit 75, the batch stays on disk; the next send delivers it and its own")
    func unreachableThenQueued() async throws {
        let victoria = try await ExternalServer.victoriaMetrics()
        defer { victoria.stop() }
        let url = victoria.baseURL + "/api/v1/write"
        victoria.stop(removeData: false)
        let files = try ScratchFiles()
        let queue = files.path("queue")
        let now = Self.milliseconds()

        let before = RemoteWriteInput.phase("cli_rw_queued", "before", value: 1, own: now - 90_000)
        let (first, firstWindow) = try await Self.send(
            before, ["--remote-write", url, "--timeout", "1s", "--queue-dir", queue], timeout: 30)
        #expect(first.status == Self.unreachable, "\(first)")
        #expect(first.seconds < 10, "\(first)")
        #expect(first.stderr.contains("stay in --queue-dir and go out with the next run"), "\(first)")
        let onDisk = Self.segmentBytes(under: queue)
        #expect(onDisk > 0, "no queue segment holds anything under \(queue)")

        try await victoria.restart()
        let after = RemoteWriteInput.phase("cli_rw_queued", "after", value: 5, own: now - 30_000)
        let (second, secondWindow) = try await Self.send(
            after, ["--remote-write", url, "--timeout", "1s", "--queue-dir", queue], timeout: 30)
        #expect(second.status == 0, "\(second)")
        let stored = try await ReceiverReadBack.victoria(victoria.baseURL, "{__name__=\"cli_rw_queued\"}")
        let old = before.problems(stored: stored.filter { $0.labels["phase"] == "before" }, window: firstWindow)
        #expect(old.isEmpty, "the queued batch:\n\(old.joined(separator: "\n"))")
        let new = after.problems(stored: stored.filter { $0.labels["phase"] == "after" }, window: secondWindow)
        #expect(new.isEmpty, "the second send's batch:\n\(new.joined(separator: "\n"))")
        #expect(stored.count == 4, "\(stored)")
    }

    /// The bytes of the queue's segment files (`*.seg`) under `path`.
    static func segmentBytes(under path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        for case let relative as String in walker where relative.hasSuffix(".seg") {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + relative)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                total += (attributes?[.size] as? NSNumber)?.intValue ?? 0
            }
        }
        return total
    }
}
