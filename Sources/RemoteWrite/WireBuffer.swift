#if canImport(Glibc)
    import Glibc
#endif

/// A grow-only byte buffer, reused from request to request, that protobuf wire format
/// is written into directly (``WireCursor``), so that encoding a request allocates
/// nothing once the buffer has reached the largest request's size.
///
/// The remote-write schemas are small (Proto/*.proto), so the encoders write their
/// fields by hand instead of filling protobuf-c structs for protobuf-c to measure and
/// pack: that was about half of the encoding's instructions.
final class WireBuffer {
    // Touched once per series: no dynamic exclusivity checks (a buffer has one user).
    @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var capacity: Int
    /// Bytes written so far.
    @exclusivity(unchecked) var count = 0

    init(capacity: Int = 64 * 1024) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes after `count`, keeping what was written.
    @inline(__always)
    func ensure(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }

    /// A cursor at the end of what was written; room must have been made with ``ensure(_:)``.
    @inline(__always)
    var cursor: WireCursor { WireCursor(base + count) }

    /// Takes the bytes a cursor from ``cursor`` has written.
    @inline(__always)
    func advance(to cursor: WireCursor) {
        count = cursor.position - base
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// Writes protobuf wire format at a raw position, without bounds checks: the caller
/// has made room (``WireBuffer/ensure(_:)``) for at most what it writes.
struct WireCursor {
    var position: UnsafeMutablePointer<UInt8>

    init(_ position: UnsafeMutablePointer<UInt8>) {
        self.position = position
    }

    /// Wire types: VARINT 0, I64 1, LEN 2.
    @inline(__always)
    static func tag(_ field: UInt8, _ wireType: UInt8) -> UInt8 { field << 3 | wireType }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        position.pointee = value
        position += 1
    }

    @inline(__always)
    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            position.pointee = UInt8(truncatingIfNeeded: value) | 0x80
            position += 1
            value >>= 7
        }
        position.pointee = UInt8(truncatingIfNeeded: value)
        position += 1
    }

    @inline(__always)
    mutating func varint(_ value: Int) { varint(UInt64(bitPattern: Int64(value))) }

    /// A little-endian 64-bit value (`double`, `fixed64`).
    @inline(__always)
    mutating func fixed64(_ value: UInt64) {
        UnsafeMutableRawPointer(position).storeBytes(of: value.littleEndian, as: UInt64.self)
        position += 8
    }

    @inline(__always)
    mutating func bytes(_ source: UnsafeRawPointer, count: Int) {
        UnsafeMutableRawPointer(position).copyMemory(from: source, byteCount: count)
        position += count
    }

    /// A `Sample` message's body (1.0 and 2.0 share fields 1 and 2): proto3 leaves out
    /// fields at their default, so +0.0 and timestamp 0 are not written, as protobuf-c
    /// does.
    @inline(__always)
    mutating func sampleBody(value: Double, timestamp: Int64) {
        let bits = value.bitPattern
        if bits != 0 {
            byte(Self.tag(1, 1))
            fixed64(bits)
        }
        if timestamp != 0 {
            byte(Self.tag(2, 0))
            varint(UInt64(bitPattern: timestamp))
        }
    }

    /// The size of ``sampleBody(value:timestamp:)``.
    @inline(__always)
    static func sampleBodySize(value: Double, timestamp: Int64) -> Int {
        (value.bitPattern != 0 ? 9 : 0) + (timestamp != 0 ? 1 + varintSize(UInt64(bitPattern: timestamp)) : 0)
    }

    /// How many bytes `value` takes as a varint.
    @inline(__always)
    static func varintSize(_ value: UInt64) -> Int {
        // 1 byte per started group of 7 bits; 0 takes one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    @inline(__always)
    static func varintSize(_ value: Int) -> Int { varintSize(UInt64(bitPattern: Int64(value))) }
}
