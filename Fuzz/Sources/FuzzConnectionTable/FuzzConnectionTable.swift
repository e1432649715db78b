import Exposition
import FuzzSupport

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
    var offset = 0
    while offset < text.count {
        let end = min(offset + chunk, text.count)
        // A buffer of exactly the chunk's size, so AddressSanitizer catches a read past its end.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: end - offset, alignment: 1)
        buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: text[offset..<end]))
        pieces.feed(UnsafeRawBufferPointer(buffer))
        buffer.deallocate()
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
    let families = IPVSMetrics.families([NamespaceCollection(namespace: "ns", result: .success(read), durationSeconds: 0)])
    // The kernel's state names end up in label values: the metric set must render and parse back.
    let rendered = ExpositionRenderer.render(families, format: .prometheus)
    fuzzCheck((try? ExpositionParser.parse(rendered, source: "fuzz", format: .prometheus)) != nil, "output does not parse")
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
