// Encoding on the host (issue 6, part 2): the 10,000 x 3 data set (BENCH_SERVICES x
// BENCH_DESTS) held in memory, through the code paths the agent uses: the metric set
// (IPVSMetrics.families), text and OpenMetrics rendering, text parsing (`send`'s input),
// remote-write 1.0 and 2.0 encoding with snappy (steady state: the series are already
// known, as from the second collection on), and the floors: libsnappy alone on the same
// uncompressed request bodies, and gzip of the text.
//
// Names are stable: Benchmarks/scripts/summarize.py looks them up.
import Benchmark
import BenchmarkData
import Collector
import Exposition
import Foundation
import HTTPTransport
import RemoteWrite

let services = Int(ProcessInfo.processInfo.environment["BENCH_SERVICES"] ?? "") ?? 10_000
let destinations = Int(ProcessInfo.processInfo.environment["BENCH_DESTS"] ?? "") ?? 3

// Lazily built globals: each benchmark process builds only what it uses, in its setup hook.
let dataSet = DataSet(services: services, destinations: destinations)
let families = dataSet.families()
/// A second build of the same collection: the remote-write benchmarks take the two in turn,
/// as the agent's collections each have label sets of their own with the last one's contents.
let familiesAgain = dataSet.families()
let textBytes = ExpositionRenderer.render(families, format: .prometheus)
let workload: Workload = {
    do {
        return try Workload(services: services, destinations: destinations)
    } catch {
        fatalError("preparing the remote-write bodies failed: \(error)")
    }
}()

/// A remote-write encoder that has already seen the series once, and the timestamp of
/// the next collection (each must be later than the last, or the encoder drops it).
final class SteadyEncoder: @unchecked Sendable {
    let encoder: RemoteWriteEncoder
    var timestamp = Workload.firstTimestamp

    init(_ protocolVersion: RemoteWriteProtocol) {
        encoder = RemoteWriteEncoder(protocolVersion: protocolVersion)
        _ = encode()
    }

    func encode() -> Int {
        timestamp += 15_000
        do {
            let collection = (timestamp / 15_000) % 2 == 0 ? families : familiesAgain
            return try encoder.encode(collection, timestampMilliseconds: timestamp).reduce(0) { $0 + $1.count }
        } catch {
            fatalError("remote-write encoding failed: \(error)")
        }
    }
}

/// One steady-state encoder per protocol, made on first use (outside the measurement) and
/// kept across the runs of a benchmark.
final class SteadyEncoders: @unchecked Sendable {
    static let shared = SteadyEncoders()
    private var encoders: [RemoteWriteProtocol: SteadyEncoder] = [:]

    func encoder(_ version: RemoteWriteProtocol) -> SteadyEncoder {
        if let known = encoders[version] { return known }
        let made = SteadyEncoder(version)
        encoders[version] = made
        return made
    }
}

/// Touches a lazily built global (building it on the first run, which is the warm-up), then
/// starts the measurement.
func prepare<T>(_ value: T, _ benchmark: Benchmark) {
    blackHole(value)
    benchmark.startMeasurement()
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .throughput, .mallocCountTotal],
        timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(8), maxIterations: 25)

    Benchmark("metric set: IPVSMetrics.families") { benchmark in
        prepare(dataSet, benchmark)
        for _ in benchmark.scaledIterations { blackHole(dataSet.families()) }
    }
    Benchmark("render: text 0.0.4") { benchmark in
        prepare(families, benchmark)
        for _ in benchmark.scaledIterations { blackHole(ExpositionRenderer.render(families, format: .prometheus)) }
    }
    Benchmark("render: OpenMetrics") { benchmark in
        prepare(families, benchmark)
        for _ in benchmark.scaledIterations { blackHole(ExpositionRenderer.render(families, format: .openMetrics)) }
    }
    Benchmark("parse: text 0.0.4") { benchmark in
        prepare(textBytes, benchmark)
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try ExpositionParser.parse(textBytes, source: "bench", format: .prometheus))
            } catch {
                fatalError("the rendered text does not parse: \(error)")
            }
        }
    }
    for (name, version) in [("1.0", RemoteWriteProtocol.v1), ("2.0", .v2)] {
        let steady = SteadyEncoders.shared
        Benchmark("remote-write \(name): encode+snappy") { benchmark in
            let encoder = steady.encoder(version)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(encoder.encode()) }
        }
        Benchmark("snappy alone: \(name) bodies") { benchmark in
            let floor = SnappyFloor()
            let bodies = version == .v1 ? workload.v1Raw : workload.v2Raw
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(floor.compress(bodies)) }
        }
    }
    Benchmark("gzip: text 0.0.4") { benchmark in
        prepare(textBytes, benchmark)
        for _ in benchmark.scaledIterations {
            do {
                blackHole(try Gzip.compress(textBytes))
            } catch {
                fatalError("gzip failed: \(error)")
            }
        }
    }
}
