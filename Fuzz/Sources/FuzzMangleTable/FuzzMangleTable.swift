import FuzzSupport

@testable import Collector

/// The legacy mangle table's `struct ipt_entry` records as IPT_SO_GET_ENTRIES returns
/// them (read in-process from the kernel; a kernel of another layout, or a table changed
/// while read, must not make the walker read outside the buffer).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMangleTable(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    // A buffer of exactly the input's size, 8-byte aligned as the agent allocates it, so
    // that AddressSanitizer catches a read one byte past the end.
    let entries = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
    defer { entries.deallocate() }
    if let start, count > 0 { entries.copyMemory(from: UnsafeRawBufferPointer(start: start, count: count)) }
    let marks = LegacyMangleTable.parse(entries: UnsafeRawBufferPointer(entries))
    checkMarks(ports: marks.ports, addresses: marks.addresses)
    return 0
}
