// collect-phases: what `ipvs-push dump` does, phase by phase, from a plain synchronous main
// (no async main, so no dispatch_main: valgrind 3.19 crashes in libdispatch's
// _dispatch_sig_thread under Swift 6.3's async main, and this tool is what the lab profiles).
//
//   collect-phases [--rounds N] [--no-destinations] [--output FILE]
//
// Each round: IPVSCollector.collectBlocking() (netlink: NamespaceReader, GenericNetlinkSocket,
// IPVSMessageParser), IPVSMetrics.families, ExpositionRenderer.render (text 0.0.4), and writing
// the bytes to FILE (default /dev/null). Prints one tab-separated line per round on stdout:
// round, collect, families, render, write (seconds), services, samples, bytes.
import Collector
import Exposition
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
    case "--output":
        guard let value = arguments.first else { fail("--output needs a path") }
        output = value
        arguments.removeFirst()
    default:
        fail("unknown argument '\(argument)' (--rounds N, --no-destinations, --output FILE)")
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
    let collections = collector.collectBlocking()
    let collected = clock.now
    let families = IPVSMetrics.families(collections, options: options)
    let built = clock.now
    let bytes = ExpositionRenderer.render(families, format: .prometheus)
    let rendered = clock.now
    guard let file = fopen(output, "wb") else { fail("cannot open \(output): \(String(cString: strerror(errno)))") }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    guard written == bytes.count, fclose(file) == 0 else { fail("cannot write \(output)") }
    let done = clock.now
    var services = 0
    for collection in collections {
        switch collection.result {
        case .success(let snapshot): services += snapshot.services.count
        case .failure(let error): fail("collection failed: \(error)")
        }
    }
    let samples = families.reduce(0) { $0 + $1.samples.count }
    print(
        "\(round)\t\(seconds(collected - start))\t\(seconds(built - collected))\t\(seconds(rendered - built))\t"
            + "\(seconds(done - rendered))\t\(services)\t\(samples)\t\(bytes.count)")
}
