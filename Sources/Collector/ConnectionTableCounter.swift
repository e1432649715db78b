/// Counts the lines of the kernel's connection table (`/proc/net/ip_vs_conn`) as they are
/// read, chunk by chunk: memory grows with the number of distinct virtual service, real
/// server and state combinations, never with the number of entries.
///
/// The kernel writes one line per entry (`ip_vs_conn_seq_show` in
/// `net/netfilter/ipvs/ip_vs_conn.c`), after a header line starting with `Pro `:
///
///     TCP 0A000001 D442 0A000001 0050 0A090909 1F90 TIME_WAIT       106
///
/// protocol name (`TCP`, `UDP`, `SCTP`, `IP` for a firewall-mark template, ...), client
/// address and port, virtual address and port, real server address and port, state, seconds
/// to expiry, then optionally the persistence engine and its data. IPv4 addresses are eight
/// hex digits (host order as printed, most significant first); IPv6 ones are eight groups of
/// four hex digits separated by colons (`%pI6`); the real server's family can differ from the
/// virtual one's. Ports are hex. A line that does not have this shape is counted in
/// ``malformedLines`` and skipped.
public struct ConnectionTableCounter: Sendable {
    /// Entries by what they have in common.
    public private(set) var counts: [ConnectionEntryKey: Int] = [:]
    /// Lines counted (the header excluded).
    public private(set) var entries = 0
    public private(set) var malformedLines = 0
    /// The start of a line whose end is in the next chunk.
    private var partial: [UInt8] = []
    /// Whether the line being assembled grew past ``maximumLineLength``: skipped to its end.
    private var overlong = false
    private var atFirstLine = true

    /// Longer than any line the kernel writes (two IPv6 addresses, the state and a persistence
    /// engine's data are under 300 bytes).
    static let maximumLineLength = 1024

    public init() {}

    /// Counts every complete line of `chunk`, keeping an incomplete last line for the next.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        var start = 0
        let count = chunk.count
        while start < count {
            var end = start
            while end < count && chunk[end] != UInt8(ascii: "\n") { end += 1 }
            let piece = UnsafeRawBufferPointer(rebasing: chunk[start..<end])
            if end == count {
                keep(piece)
                return
            }
            if partial.isEmpty && !overlong {
                line(piece)
            } else {
                keep(piece)
                if overlong { malformedLines += 1 } else { partial.withUnsafeBytes { line($0) } }
                partial.removeAll(keepingCapacity: true)
                overlong = false
            }
            start = end + 1
        }
    }

    /// Counts a last line that had no newline.
    public mutating func finish() {
        guard !partial.isEmpty || overlong else { return }
        if overlong { malformedLines += 1 } else { partial.withUnsafeBytes { line($0) } }
        partial.removeAll()
        overlong = false
    }

    private mutating func keep(_ piece: UnsafeRawBufferPointer) {
        guard !overlong else { return }
        if partial.count + piece.count > Self.maximumLineLength {
            overlong = true
            partial.removeAll(keepingCapacity: true)
        } else {
            partial.append(contentsOf: piece)
        }
    }

    private mutating func line(_ bytes: UnsafeRawBufferPointer) {
        if atFirstLine {
            atFirstLine = false
            if bytes.starts(with: "Pro ".utf8) { return }
        }
        if bytes.isEmpty { return }
        guard let key = Self.parse(bytes) else {
            malformedLines += 1
            return
        }
        entries += 1
        counts[key, default: 0] += 1
    }

    /// The key of one line of the table, or nil when it is not what the kernel writes.
    public static func parse(_ line: UnsafeRawBufferPointer) -> ConnectionEntryKey? {
        var fields = FieldCursor(line)
        guard let protocolField = fields.next(), let protocolNumber = protocolNumber(protocolField),
            let client = fields.next(), address(client) != nil,
            let clientPort = fields.next(), port(clientPort) != nil,
            let virtualField = fields.next(), let virtualAddress = address(virtualField),
            let virtualPortField = fields.next(), let virtualPort = port(virtualPortField),
            let destinationField = fields.next(), let destinationAddress = address(destinationField),
            let destinationPortField = fields.next(), let destinationPort = port(destinationPortField),
            let stateField = fields.next(), stateField.count <= 32,
            stateField.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
            let expires = fields.next(), !expires.isEmpty, expires.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return nil }
        return ConnectionEntryKey(
            protocolNumber: protocolNumber, virtualAddress: virtualAddress, virtualPort: virtualPort,
            destinationAddress: destinationAddress, destinationPort: destinationPort,
            state: String(decoding: stateField, as: UTF8.self))
    }

    /// `ip_vs_proto_name`'s names, and `IP_<number>` for another protocol.
    static func protocolNumber(_ field: UnsafeRawBufferPointer) -> UInt16? {
        if field.elementsEqual("TCP".utf8) { return 6 }
        if field.elementsEqual("UDP".utf8) { return 17 }
        if field.elementsEqual("SCTP".utf8) { return 132 }
        if field.elementsEqual("IP".utf8) { return 0 }
        if field.elementsEqual("ICMP".utf8) { return 1 }
        if field.elementsEqual("ICMPv6".utf8) { return 58 }
        guard field.starts(with: "IP_".utf8), field.count > 3, field.count <= 6 else { return nil }
        var value: UInt16 = 0
        for byte in field.dropFirst(3) {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + UInt16(byte - 48)
        }
        return value <= 255 ? value : nil
    }

    /// Eight hex digits (IPv4) or eight colon-separated groups of four (IPv6).
    static func address(_ field: UnsafeRawBufferPointer) -> IPAddress? {
        if field.count == 8 {
            guard let value = hex(field) else { return nil }
            return IPAddress(family: .inet, high: value << 32, low: 0)
        }
        guard field.count == 39 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in 0..<8 {
            let start = group * 5
            if group > 0 && field[start - 1] != UInt8(ascii: ":") { return nil }
            guard let value = hex(UnsafeRawBufferPointer(rebasing: field[start..<start + 4])) else { return nil }
            if group < 4 { high = high << 16 | value } else { low = low << 16 | value }
        }
        return IPAddress(family: .inet6, high: high, low: low)
    }

    /// One to four hex digits.
    static func port(_ field: UnsafeRawBufferPointer) -> UInt16? {
        guard field.count <= 4, let value = hex(field) else { return nil }
        return UInt16(value)
    }

    /// One to sixteen hex digits, either case.
    static func hex(_ field: UnsafeRawBufferPointer) -> UInt64? {
        guard !field.isEmpty, field.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in field {
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 65...70: digit = byte - 55
            case 97...102: digit = byte - 87
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// The space-separated fields of a line (the kernel pads with runs of spaces).
    private struct FieldCursor {
        let line: UnsafeRawBufferPointer
        var position = 0

        init(_ line: UnsafeRawBufferPointer) { self.line = line }

        mutating func next() -> UnsafeRawBufferPointer? {
            while position < line.count && line[position] == UInt8(ascii: " ") { position += 1 }
            guard position < line.count else { return nil }
            let start = position
            while position < line.count && line[position] != UInt8(ascii: " ") { position += 1 }
            return UnsafeRawBufferPointer(rebasing: line[start..<position])
        }
    }
}
