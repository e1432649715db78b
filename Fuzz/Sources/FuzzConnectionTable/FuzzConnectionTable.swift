import Exposition
import FuzzSupport
import IPVSMetricSet

@testable import Collector

/// `/proc/net/ip_vs_conn` as the kernel writes it (`--connection-states`), fed to the counter
/// in chunks of sizes the input's first byte picks, as `read(2)` may hand them over; then the
/// counts attributed to a fixed namespace (a TCP service, an IPv6 service, a Docker-like mark).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConnectionTable(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let start, count > 0 else { return 0 }
    let input = UnsafeRawBufferPointer(start: start, count: count)
    let chunk = Int(input[0]) + 1
    let text = UnsafeRawBufferPointer(rebasing: input[1...])
    var whole = ConnectionTableCounter()
    whole.feed(text)
    whole.finish()
    var pieces = ConnectionTableCounter()
    // A copy of exactly the text's size, so AddressSanitizer catches a read past its end (one
    // allocation: one per chunk made the run 10 times slower).
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: text.count, alignment: 1)
    defer { copy.deallocate() }
    copy.copyMemory(from: text)
    var offset = 0
    while offset < text.count {
        let end = min(offset + chunk, text.count)
        pieces.feed(UnsafeRawBufferPointer(rebasing: copy[offset..<end]))
        offset = end
    }
    pieces.finish()
    fuzzCheck(pieces.counts == whole.counts, "chunking changed the counts")
    fuzzCheck(
        pieces.entries == whole.entries && pieces.malformedLines == whole.malformedLines,
        "chunking changed the line counts")
    fuzzCheck(whole.counts.values.reduce(0, +) == whole.entries, "counts do not add up to the entries")

    let snapshot = fixedSnapshot()
    let entries = ConnectionTable.attribute(
        whole.counts, to: snapshot.services, markPorts: snapshot.markPorts, markAddresses: snapshot.markAddresses)
    fuzzCheck(entries.reduce(0) { $0 + $1.count } == whole.entries, "attribution lost or added entries")
    var read = snapshot
    read.connections = entries
    let families = IPVSMetrics.families([
        NamespaceCollection(namespace: "ns", result: .success(read), durationSeconds: 0)
    ])
    .filter { $0.name.hasPrefix("ipvs_connection_entries") }
    // The kernel's state names end up in label values: the two families must render and parse back.
    let rendered = ExpositionRenderer.render(families, format: .prometheus)
    fuzzCheck(
        (try? ExpositionParser.parse(rendered, source: "fuzz", format: .prometheus)) != nil, "output does not parse")
    return 0
}

private func fixedSnapshot() -> NamespaceSnapshot {
    let web = VirtualService(
        family: .inet, transportProtocol: .tcp, protocolNumber: 6, address: IPAddress("10.0.0.1"), port: 80,
        scheduler: "rr", destinations: [RealServer(address: IPAddress("172.16.0.1")!, port: 8080, weight: 1)])
    let v6 = VirtualService(
        family: .inet6, transportProtocol: .udp, protocolNumber: 17, address: IPAddress("2001:db8::1"), port: 53,
        scheduler: "wrr", destinations: [RealServer(address: IPAddress("fd00::9")!, port: 5353, weight: 0)])
    let mark = VirtualService(
        family: .inet, firewallMark: 260, scheduler: "rr",
        destinations: [RealServer(address: IPAddress("10.255.0.5")!, port: 0, weight: 1)])
    return NamespaceSnapshot(
        namespace: "ns", info: IPVSInfo(versionCode: 0x010201, connectionTableSize: 4096), services: [web, v6, mark],
        markPorts: [260: [30000]], markAddresses: [260: ["10.0.0.9"]])
}
