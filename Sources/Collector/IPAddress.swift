#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as IPVS carries it: 16 bytes, IPv4 in the first four.
public struct IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var family: IPAddressFamily
    /// Always 16 bytes; for IPv4 only the first 4 are meaningful (the rest are zero).
    public var bytes: [UInt8]

    public init(family: IPAddressFamily, bytes: some Collection<UInt8>) {
        self.family = family
        var padded = Array(bytes.prefix(16))
        if family == .inet, padded.count > 4 { padded.replaceSubrange(4..., with: repeatElement(0, count: padded.count - 4)) }
        if padded.count < 16 { padded.append(contentsOf: repeatElement(0, count: 16 - padded.count)) }
        self.bytes = padded
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

    /// Dotted quad for IPv4, RFC 5952 canonical text for IPv6 (as `ipvsadm -n` prints it,
    /// without brackets).
    public var description: String {
        if family == .inet {
            // By hand: inet_ntop and the C buffer around it cost more than the rest of a
            // destination's labels at 10,000 services.
            var text = ""
            text.reserveCapacity(15)
            for index in 0..<4 {
                if index > 0 { text.append(".") }
                text.append(String(bytes[index]))
            }
            return text
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let af = family == .inet ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in
            inet_ntop(af, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.family != rhs.family { return lhs.family.rawValue < rhs.family.rawValue }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
