// collect-phases: what `ipvs-push dump` does, phase by phase, from a plain synchronous main
// (no async main, so no dispatch_main: valgrind 3.19 crashes in libdispatch's
// _dispatch_sig_thread under Swift 6.3's async main, and this tool is what the lab profiles).
//
//   collect-phases [--rounds N] [--no-destinations] [--families] [--output FILE]
//
// Each round: IPVSCollector.collectBlocking() (netlink: NamespaceReader, GenericNetlinkSocket,
// IPVSMessageParser), then, as `dump` does, IPVSMetrics.document rendered in 256 KiB pieces, each
// written to FILE (default /dev/null) as it is ready; with --families, as `serve`, `run` and the
// senders do: IPVSMetrics.families, then ExpositionChunkRenderer over them (the metric set column).
// Prints one tab-separated line per round on stdout: round, collect, families, render, write
// (seconds; render and write summed over the pieces), services, samples, bytes.
import Collector
import Exposition
import IPVSMetricSet
import Logging

#if canImport(Glibc)
    import Glibc
#endif

func fail(_ message: String) -> Never {
    let line = Array("collect-phases: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(64)
}

var rounds = 1
var includeDestinations = true
var viaFamilies = false
var output = "/dev/null"
var arguments = Array(CommandLine.arguments.dropFirst())
while let argument = arguments.first {
    arguments.removeFirst()
    switch argument {
    case "--rounds":
        guard let value = arguments.first.flatMap({ Int($0) }), value > 0 else { fail("--rounds needs a count") }
        rounds = value
        arguments.removeFirst()
    case "--no-destinations":
        includeDestinations = false
    case "--families":
        viaFamilies = true
    case "--output":
        guard let value = arguments.first else { fail("--output needs a path") }
        output = value
        arguments.removeFirst()
    default:
        fail("unknown argument '\(argument)' (--rounds N, --no-destinations, --families, --output FILE)")
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let collector = IPVSCollector(namespaces: [""], logger: Logger(label: "collect-phases"))
collector.prepare()
let options = MetricOptions(includeDestinations: includeDestinations)
let clock = ContinuousClock()
print("round\tcollect\tfamilies\trender\twrite\tservices\tsamples\tbytes")
for round in 1...rounds {
    let start = clock.now
    let collections = collector.collectBlocking().namespaces
    let collected = clock.now
    var document: any ExpositionDocument
    if viaFamilies {
        document = ExpositionChunkRenderer(IPVSMetrics.families(collections, options: options), format: .prometheus)
    } else {
        document = IPVSMetrics.document(collections, options: options, format: .prometheus)
    }
    let built = clock.now
    guard let file = fopen(output, "wb") else { fail("cannot open \(output): \(String(cString: strerror(errno)))") }
    var rendering = Duration.zero
    var writing = Duration.zero
    var bytes = 0
    var samples = 0
    var piece: [UInt8] = []
    piece.reserveCapacity(256 * 1024 + 4096)
    while !document.isComplete {
        piece.removeAll(keepingCapacity: true)
        let renderStart = clock.now
        document.render(into: &piece, upTo: 256 * 1024)
        let rendered = clock.now
        let written = piece.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == piece.count else { fail("cannot write \(output)") }
        writing += clock.now - rendered
        rendering += rendered - renderStart
        bytes += piece.count
        // Sample lines: every line that is not a comment (outside the timed phases).
        var lineStart = true
        for byte in piece {
            if lineStart && byte != UInt8(ascii: "#") { samples += 1 }
            lineStart = byte == UInt8(ascii: "\n")
        }
    }
    guard fclose(file) == 0 else { fail("cannot write \(output)") }
    var services = 0
    for collection in collections {
        switch collection.result {
        case .success(let snapshot): services += snapshot.services.count
        case .failure(let error): fail("collection failed: \(error)")
        }
    }
    print(
        "\(round)\t\(seconds(collected - start))\t\(seconds(built - collected))\t\(seconds(rendering))\t"
            + "\(seconds(writing))\t\(services)\t\(samples)\t\(bytes)")
}
