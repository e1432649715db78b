// bench-data: the benchmark data set as files and figures.
//
//   bench-data sizes [--services 10000] [--destinations 3]
//       JSON on stdout: sample count, request counts, and the bytes of the text, OpenMetrics,
//       gzip text, remote-write 1.0 and 2.0 bodies (protobuf and snappy) of the data set.
//   bench-data text --samples 1000000 [--destinations 3] --output FILE
//       the smallest data set with at least that many samples, as Prometheus text, to FILE;
//       prints the sample count.
//   bench-data cycles --cycles 10 [--interval 5] [--services 10000] [--destinations 3] --output-dir DIR
//       the data set as Prometheus text `cycles` times, each `interval` seconds of traffic later
//       than the one before (every counter moves), to DIR/cycle-0.prom, cycle-1.prom, ...; prints
//       the sample count of one document (the pipeline benchmark's input).
//   bench-data profile WORK [--rounds 3] [--services 10000] [--destinations 3]
//       prepares WORK's input, then runs WORK `rounds` times inside measuredWork(), for
//       `valgrind --tool=callgrind --toggle-collect='*measuredWork*'`: families, render-text,
//       render-openmetrics, families-render (families then rendering them in 256 KiB pieces, what
//       `serve` did), document (IPVSMetrics.document in 256 KiB pieces, what `dump` and `serve`
//       do), parse, encode-1.0, encode-2.0 (steady state: one untimed collection first),
//       snappy-1.0, snappy-2.0.
import BenchmarkData
import Collector
import Exposition
import IPVSMetricSet
import RemoteWrite

#if canImport(Glibc)
    import Glibc
#endif

func fail(_ message: String) -> Never {
    let line = Array("bench-data: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(64)
}

func writeFile(_ bytes: [UInt8], to path: String) {
    guard let file = fopen(path, "wb") else { fail("cannot create \(path): \(String(cString: strerror(errno)))") }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    guard written == bytes.count, fclose(file) == 0 else { fail("cannot write \(path)") }
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("usage: bench-data sizes|text [options] (see the source header)") }
arguments.removeFirst()
var parsed: [String: String] = [:]
if command == "profile", let work = arguments.first, !work.hasPrefix("--") {
    parsed["work"] = work
    arguments.removeFirst()
}
while let name = arguments.first {
    guard name.hasPrefix("--"), arguments.count >= 2 else { fail("expected --option value, got '\(name)'") }
    parsed[String(name.dropFirst(2))] = arguments[1]
    arguments.removeFirst(2)
}
let options = parsed
func number(_ name: String, _ fallback: Int) -> Int {
    guard let text = options[name] else { return fallback }
    guard let value = Int(text), value >= 0 else { fail("--\(name) '\(text)' is not a number") }
    return value
}

switch command {
case "sizes":
    let workload: Workload
    do {
        workload = try Workload(services: number("services", 10_000), destinations: number("destinations", 3))
    } catch {
        fail("encoding failed: \(error)")
    }
    let sizes = workload.sizes.map { "\"\($0.name)\": \($0.bytes)" }.joined(separator: ", ")
    // The same data set with idle counters: what the encodings spend on labels alone.
    let idle: Workload
    do {
        idle = try Workload(
            services: number("services", 10_000), destinations: number("destinations", 3), values: .idle)
    } catch {
        fail("encoding failed: \(error)")
    }
    let idleSizes = idle.sizes.map { "\"\($0.name)\": \($0.bytes)" }.joined(separator: ", ")
    print(
        "{\"services\": \(workload.dataSet.services), \"destinations_per_service\": \(workload.dataSet.destinations), "
            + "\"samples\": \(workload.sampleCount), \"requests_v1\": \(workload.v1Bodies.count), "
            + "\"requests_v2\": \(workload.v2Bodies.count), \"bytes\": {\(sizes)}, \"bytes_idle\": {\(idleSizes)}}")
case "text":
    guard let output = options["output"] else { fail("text needs --output FILE") }
    let destinations = number("destinations", 3)
    let services = DataSet.services(forSamples: number("samples", 1_000_000), destinations: destinations)
    let families = DataSet(services: services, destinations: destinations).families()
    writeFile(ExpositionRenderer.render(families, format: .prometheus), to: output)
    print(DataSet.sampleCount(families))
case "cycles":
    guard let directory = options["output-dir"] else { fail("cycles needs --output-dir DIR") }
    var samples = 0
    for cycle in 0..<number("cycles", 10) {
        let dataSet = DataSet(
            services: number("services", 10_000), destinations: number("destinations", 3),
            elapsedSeconds: UInt64(cycle * number("interval", 5)))
        let families = dataSet.families()
        samples = DataSet.sampleCount(families)
        writeFile(ExpositionRenderer.render(families, format: .prometheus), to: "\(directory)/cycle-\(cycle).prom")
    }
    print(samples)
case "profile":
    guard let work = options["work"] else { fail("profile needs WORK (families, render-text, ...)") }
    let rounds = number("rounds", 3)
    let dataSet = DataSet(services: number("services", 10_000), destinations: number("destinations", 3))
    let families = dataSet.families()
    let step: () -> Int
    switch work {
    case "families":
        step = { DataSet.sampleCount(dataSet.families()) }
    case "render-text":
        step = { ExpositionRenderer.render(families, format: .prometheus).count }
    case "render-openmetrics":
        step = { ExpositionRenderer.render(families, format: .openMetrics).count }
    case "families-render", "document":
        let collections = dataSet.collections
        var piece: [UInt8] = []
        piece.reserveCapacity(256 * 1024 + 4096)
        step = {
            var document: any ExpositionDocument =
                work == "document"
                ? IPVSMetrics.document(collections, format: .prometheus)
                : ExpositionChunkRenderer(IPVSMetrics.families(collections), format: .prometheus)
            var total = 0
            while !document.isComplete {
                piece.removeAll(keepingCapacity: true)
                document.render(into: &piece, upTo: 256 * 1024)
                total += piece.count
            }
            return total
        }
    case "parse":
        let text = ExpositionRenderer.render(families, format: .prometheus)
        step = {
            do { return try ExpositionParser.parse(text, source: "profile", format: .prometheus).sampleCount } catch {
                fail("parse failed: \(error)")
            }
        }
    case "encode-1.0", "encode-2.0":
        let encoder = RemoteWriteEncoder(protocolVersion: work == "encode-1.0" ? .v1 : .v2)
        var timestamp = Workload.firstTimestamp
        // Two builds of the same collection, taken in turn: like the agent's collections, each
        // has label sets of its own with the contents of the last one.
        let builds = [families, dataSet.families()]
        func encode() -> Int {
            timestamp += 15_000
            let collection = builds[Int(timestamp / 15_000) % 2]
            do { return try encoder.encode(collection, timestampMilliseconds: timestamp).count } catch {
                fail("encoding failed: \(error)")
            }
        }
        _ = encode()
        step = encode
    case "snappy-1.0", "snappy-2.0":
        let workload: Workload
        do { workload = try Workload(services: dataSet.services, destinations: dataSet.destinations) } catch {
            fail("encoding failed: \(error)")
        }
        let bodies = work == "snappy-1.0" ? workload.v1Raw : workload.v2Raw
        let floor = SnappyFloor()
        step = { floor.compress(bodies) }
    default:
        fail("unknown profile work '\(work)'")
    }
    // The CPU time of the process (every thread: the batch workers too) and the wall time
    // over the rounds, to the nanosecond, on standard error (standard output keeps the result).
    let before = (cpu: clockSeconds(CLOCK_PROCESS_CPUTIME_ID), wall: clockSeconds(CLOCK_MONOTONIC))
    let result = measuredWork(rounds: rounds, step)
    let after = (cpu: clockSeconds(CLOCK_PROCESS_CPUTIME_ID), wall: clockSeconds(CLOCK_MONOTONIC))
    print(result)
    let timing = Array(
        "\(work)\t\(rounds)\t\((after.cpu - before.cpu) / Double(rounds))\t\((after.wall - before.wall) / Double(rounds))\n"
            .utf8)
    _ = timing.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
default:
    fail("unknown command '\(command)' (sizes, text, profile)")
}

/// A clock's reading in seconds.
func clockSeconds(_ clock: clockid_t) -> Double {
    var now = timespec()
    clock_gettime(clock, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// The profiled region: callgrind's --toggle-collect='*measuredWork*' counts only this.
@inline(never)
func measuredWork(rounds: Int, _ step: () -> Int) -> Int {
    var total = 0
    for _ in 0..<rounds { total &+= step() }
    return total
}
