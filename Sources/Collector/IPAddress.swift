#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address as IPVS carries it: 16 bytes, IPv4 in the first four.
///
/// The bytes are held inline, as two big-endian 64-bit words, not in an array: a
/// collection at 10,000 services holds 40,000 addresses, and an array each was an
/// allocation, a reference count and a pointer chase per comparison while sorting.
/// Comparing the words compares the bytes lexicographically.
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var family: IPAddressFamily
    /// Bytes 0-7 and 8-15, most significant byte first.
    private var high: UInt64
    private var low: UInt64

    public init(family: IPAddressFamily, bytes: some Collection<UInt8>) {
        self.family = family
        var high: UInt64 = 0
        var low: UInt64 = 0
        // IPv4 keeps only its first 4 bytes; the rest are zero.
        let meaningful = family == .inet ? 4 : 16
        for (index, byte) in bytes.prefix(meaningful).enumerated() {
            if index < 8 {
                high |= UInt64(byte) << (56 - 8 * UInt64(index))
            } else {
                low |= UInt64(byte) << (56 - 8 * UInt64(index - 8))
            }
        }
        self.high = high
        self.low = low
    }

    /// From its bytes as two big-endian words (IPv4: the address in the top 32 bits of `high`, `low` zero).
    init(family: IPAddressFamily, high: UInt64, low: UInt64) {
        self.family = family
        self.high = high
        self.low = family == .inet ? 0 : low
    }

    /// The first four bytes as a big-endian number (where a firewall-mark service's persistence
    /// template carries the mark).
    public var leadingWord: UInt32 { UInt32(truncatingIfNeeded: high >> 32) }

    /// Reads `family`'s bytes (4 or 16) from the start of `raw`, which must hold them.
    init(family: IPAddressFamily, raw: UnsafeRawBufferPointer) {
        self.family = family
        if family == .inet {
            high = UInt64(UInt32(bigEndian: raw.loadUnaligned(as: UInt32.self))) << 32
            low = 0
        } else {
            high = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
            low = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }

    /// Parses dotted IPv4 or textual IPv6 (no brackets).
    public init?(_ text: String) {
        var storage = [UInt8](repeating: 0, count: 16)
        if text.contains(":") {
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            self.init(family: .inet6, bytes: storage)
        } else {
            guard inet_pton(AF_INET, text, &storage) == 1 else { return nil }
            self.init(family: .inet, bytes: storage)
        }
    }

    /// Always 16 bytes; for IPv4 only the first 4 are meaningful (the rest are zero).
    public var bytes: [UInt8] {
        (0..<16).map { index in
            let word = index < 8 ? high : low
            return UInt8(truncatingIfNeeded: word >> (56 - 8 * UInt64(index % 8)))
        }
    }

    /// Calls `body` with the 16 bytes in network order, without an array.
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var words = (high.bigEndian, low.bigEndian)
        return try withUnsafeBytes(of: &words) { try body($0) }
    }

    /// Dotted quad for IPv4, RFC 5952 canonical text for IPv6 (as `ipvsadm -n` prints it,
    /// without brackets).
    public var description: String {
        if family == .inet {
            // By hand: inet_ntop and the C buffer around it cost more than the rest of a
            // destination's labels at 10,000 services.
            return String(unsafeUninitializedCapacity: 15) { buffer in writeDottedQuad(to: buffer.baseAddress!) }
        }
        return textIPv6()
    }

    /// Appends ``description``'s bytes to `buffer` (IPv4 without building a String).
    func appendText(to buffer: inout [UInt8]) {
        guard family == .inet else {
            buffer.append(contentsOf: textIPv6().utf8)
            return
        }
        var quad: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &quad) { raw in
            let start = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            buffer.append(contentsOf: UnsafeBufferPointer(start: start, count: writeDottedQuad(to: start)))
        }
    }

    /// Writes ``description``'s bytes at `start`, which has room for 45, and returns how many
    /// it wrote: the metric set's renderer writes addresses straight into its line buffer.
    public func writeText(to start: UnsafeMutablePointer<UInt8>) -> Int {
        if family == .inet { return writeDottedQuad(to: start) }
        var text = textIPv6()
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            start.update(from: base, count: bytes.count)
            return bytes.count
        }
    }

    /// Writes the dotted quad (at most 15 bytes) at `start` and returns its length.
    private func writeDottedQuad(to start: UnsafeMutablePointer<UInt8>) -> Int {
        var count = 0
        for index in 0..<4 {
            if index > 0 {
                start[count] = UInt8(ascii: ".")
                count += 1
            }
            let byte = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(index)))
            if byte >= 100 {
                start[count] = UInt8(ascii: "0") + byte / 100
                count += 1
            }
            if byte >= 10 {
                start[count] = UInt8(ascii: "0") + byte / 10 % 10
                count += 1
            }
            start[count] = UInt8(ascii: "0") + byte % 10
            count += 1
        }
        return count
    }

    private func textIPv6() -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok = withBytes { raw in inet_ntop(AF_INET6, raw.baseAddress, &text, socklen_t(text.count)) != nil }
        guard ok else { return "" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family { return lhs.family.rawValue < rhs.family.rawValue }
        return (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// Byte order regardless of family (the order services are listed in).
    static func bytesPrecede(_ lhs: IPAddress, _ rhs: IPAddress) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}
