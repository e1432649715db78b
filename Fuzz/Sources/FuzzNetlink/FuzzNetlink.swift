import Exposition
import FuzzSupport
import IPVSMetricSet

@testable import Collector

/// The IPVS generic-netlink reply parser. The input is a datagram as the kernel sends it:
/// the parsers get it whole (the length field then disagrees with the bytes present as
/// often as not) and each message of it, walked the way the socket's receive loop walks
/// a datagram. Each message goes to every parser (a command byte that does not fit is a
/// parse error like any other), the destination parser with both service families.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNetlink(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    // Copied to a buffer of its own, 4-byte aligned as the receive buffer is, so that
    // AddressSanitizer sees every read past the end of the datagram.
    let datagram = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
    defer { datagram.deallocate() }
    if let start, count > 0 { datagram.copyMemory(from: UnsafeRawBufferPointer(start: start, count: count)) }
    let bytes = UnsafeRawBufferPointer(datagram)
    var parsed = Parsed()
    parsed.add(bytes)
    var offset = 0
    while bytes.count - offset >= IPVSProtocol.netlinkHeaderSize {
        let length = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        guard length >= IPVSProtocol.netlinkHeaderSize, length <= bytes.count - offset else { break }
        parsed.add(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)]))
        offset += (length + 3) & ~3
    }
    parsed.checkMetricSet()
    return 0
}

/// What the messages parsed into; the first service and destination, the timeouts and the
/// sync daemons go through the metric set, whose text must parse (the scheduler and
/// persistence engine names and a daemon's interface come from the kernel as bytes and end
/// up in label values).
private struct Parsed {
    var info: IPVSInfo?
    var service: VirtualService?
    var destination: RealServer?
    var timeouts: IPVSTimeouts?
    var daemons: [SyncDaemon] = []

    mutating func add(_ message: UnsafeRawBufferPointer) {
        if let parsed = try? IPVSMessageParser.parseInfo(message) { info = info ?? parsed }
        if let parsed = try? IPVSMessageParser.parseConfig(message) { timeouts = timeouts ?? parsed }
        if let parsed = try? IPVSMessageParser.parseDaemon(message) { daemons.append(parsed) }
        if let parsed = try? IPVSMessageParser.parseService(message) {
            if let mark = parsed.firewallMark {
                fuzzCheck(mark != 0, "a firewall-mark service with mark 0")
                fuzzCheck(parsed.address == nil, "a firewall-mark service with an address")
            } else {
                fuzzCheck(parsed.address?.family == parsed.family, "service address of another family")
            }
            service = service ?? parsed
        }
        for family in [IPAddressFamily.inet, .inet6] {
            if let parsed = try? IPVSMessageParser.parseDestination(message, serviceFamily: family) {
                destination = destination ?? parsed
            }
        }
    }

    func checkMetricSet() {
        guard service != nil || timeouts != nil || !daemons.isEmpty else { return }
        var services: [VirtualService] = []
        if var service {
            if let destination { service.destinations = [destination] }
            services = [service]
        }
        let snapshot = NamespaceSnapshot(
            namespace: "", info: info ?? IPVSInfo(versionCode: 0x010201, connectionTableSize: 4096),
            services: services, timeouts: timeouts, syncDaemons: SyncDaemon.running(daemons))
        let collections = [NamespaceCollection(namespace: "", result: .success(snapshot), durationSeconds: 0)]
        for format in ExpositionFormat.allCases {
            var document = IPVSMetrics.document(collections, format: format)
            var text: [UInt8] = []
            document.write(inPiecesOf: 1 << 16) { text += $0 }
            do throws(ExpositionParseError) {
                _ = try ExpositionParser.parse(text, source: "metric set", format: format)
            } catch {
                fuzzCheck(false, "the metric set of a parsed service does not parse as \(format): \(error)")
            }
        }
    }
}
