import Collector
import FuzzSupport

/// iptables-save's text of the mangle table (iptables-nft-save's output, read at every
/// collection), as MARK rules.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkRules(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    var input = FuzzInput(start, count)
    let text = String(decoding: input.rest(), as: UTF8.self)
    let marks = FirewallMarkRules.parse(text)
    checkMarks(ports: marks.ports, addresses: marks.addresses)
    return 0
}
