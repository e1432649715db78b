import CIPTables
import Privileges

#if canImport(Glibc)
    import Glibc
#endif

/// Reads the firewall marks of the legacy iptables backend (ip_tables) in-process.
///
/// iptables-legacy-save opens a raw socket to read the tables, which needs CAP_NET_RAW as
/// well as CAP_NET_ADMIN. The kernel answers the same getsockopt(IPT_SO_GET_INFO /
/// IPT_SO_GET_ENTRIES) on any IPv4 socket and checks only CAP_NET_ADMIN, so the agent
/// reads the `mangle` table itself through a UDP socket of the calling thread's namespace,
/// and never needs CAP_NET_RAW. The rules it understands are those
/// ``FirewallMarkRules/parse(_:)`` understands in iptables-save's text: a `MARK` target with a
/// `tcp`/`udp` match of one destination port, a `multiport` match of destination ports, or
/// a single destination address (`-d ADDRESS/32`).
enum LegacyMangleTable {
    /// The marks of the calling thread's namespace; empty when the namespace has no legacy
    /// mangle table, nil when it could not be read (no CAP_NET_ADMIN).
    ///
    /// Asking the kernel for a table the namespace does not have creates it (and may load
    /// iptable_mangle), as iptables-legacy-save does, so the table is read only when
    /// /proc/thread-self/net/ip_tables_names lists it, and not at all when that file is
    /// missing (no ip_tables in the kernel). The file is readable by root only (mode 0440):
    /// an agent running as another user reads the table whenever ip_tables is there.
    static func readCurrentNamespace() -> FirewallMarks? {
        if let names = ProcFile.read("/proc/thread-self/net/ip_tables_names") {
            guard names.split(separator: "\n").contains("mangle") else { return FirewallMarks() }
        } else if errno != EACCES && errno != EPERM {
            return FirewallMarks()
        }
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        for _ in 0..<3 {
            var size: UInt32 = 0
            var count: UInt32 = 0
            guard CIPTables_info(socket, "mangle", &size, &count) == 0 else {
                return errno == ENOENT ? FirewallMarks() : nil
            }
            let length = CIPTables_entries_buffer_size(size)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 8)
            defer { buffer.deallocate() }
            guard CIPTables_entries(socket, "mangle", size, buffer) == 0 else {
                if errno == EAGAIN { continue }  // the table changed between the two calls
                return nil
            }
            let start = CIPTables_entries_offset()
            return parse(entries: UnsafeRawBufferPointer(start: buffer + start, count: Int(size)))
        }
        return nil
    }

    /// The marks of a table's entries (the kernel's `struct ipt_entry` records).
    static func parse(entries: UnsafeRawBufferPointer) -> FirewallMarks {
        let entrySize = CIPTables_ipt_entry_size()
        let headerSize = CIPTables_xt_header_size()
        var marks = FirewallMarksBuilder()
        var offset = 0
        while offset + entrySize <= entries.count {
            let entry = UnsafeRawBufferPointer(rebasing: entries[offset...])
            let targetOffset = Int(
                entry.loadUnaligned(fromByteOffset: CIPTables_ipt_entry_target_offset_offset(), as: UInt16.self))
            let nextOffset = Int(
                entry.loadUnaligned(fromByteOffset: CIPTables_ipt_entry_next_offset_offset(), as: UInt16.self))
            guard nextOffset >= entrySize, nextOffset <= entry.count, targetOffset >= entrySize,
                targetOffset + headerSize <= nextOffset
            else { break }
            let target = UnsafeRawBufferPointer(rebasing: entry[targetOffset..<nextOffset])
            if let mark = markTarget(target) {
                var ports: [UInt16] = []
                var matchOffset = entrySize
                while matchOffset + headerSize <= targetOffset {
                    let size = Int(entry.loadUnaligned(fromByteOffset: matchOffset, as: UInt16.self))
                    guard size >= headerSize, matchOffset + size <= targetOffset else { break }
                    ports += destinationPorts(UnsafeRawBufferPointer(rebasing: entry[matchOffset..<matchOffset + size]))
                    matchOffset += size
                }
                marks.add(mark: mark, ports: ports, address: destinationAddress(entry))
            }
            offset += nextOffset
        }
        return marks.result
    }

    /// The rule's destination when it is one IPv4 address (`-d ADDRESS/32`, not negated).
    private static func destinationAddress(_ entry: UnsafeRawBufferPointer) -> String? {
        let mask = entry.loadUnaligned(fromByteOffset: CIPTables_ipt_entry_destination_mask_offset(), as: UInt32.self)
        let inverted = entry[CIPTables_ipt_entry_invflags_offset()] & UInt8(CIPTables_IPT_INV_DSTIP()) != 0
        guard mask == 0xffff_ffff, !inverted else { return nil }
        let address = UnsafeRawBufferPointer(rebasing: entry[CIPTables_ipt_entry_destination_offset()...])
        return IPAddress(family: .inet, raw: address).description
    }

    /// The mark a `MARK` target (revision 2, `struct xt_mark_tginfo2 { mark, mask }`) sets;
    /// nil for other targets and for mark 0.
    private static func markTarget(_ target: UnsafeRawBufferPointer) -> UInt32? {
        let header = CIPTables_xt_header_size()
        guard name(of: target) == "MARK", revision(of: target) == 2, target.count >= header + 8 else { return nil }
        let mark = target.loadUnaligned(fromByteOffset: header, as: UInt32.self)
        return mark == 0 ? nil : mark
    }

    /// The single destination ports a match selects, none for ranges and negations.
    private static func destinationPorts(_ match: UnsafeRawBufferPointer) -> [UInt16] {
        let header = CIPTables_xt_header_size()
        let data = UnsafeRawBufferPointer(rebasing: match[header...])
        switch name(of: match) {
        case "tcp", "udp":
            // struct xt_tcp { u16 spts[2], dpts[2]; u8 option, flg_mask, flg_cmp, invflags; }
            // struct xt_udp { u16 spts[2], dpts[2]; u8 invflags; }; XT_*_INV_DSTPT = 0x02.
            let invertOffset = name(of: match) == "tcp" ? 11 : 8
            guard data.count > invertOffset else { return [] }
            let low = data.loadUnaligned(fromByteOffset: 4, as: UInt16.self)
            let high = data.loadUnaligned(fromByteOffset: 6, as: UInt16.self)
            let inverted = data[invertOffset] & 0x02 != 0
            return !inverted && low == high ? [low] : []
        case "multiport":
            // struct xt_multiport { u8 flags, count; u16 ports[15]; } (revision 0), then
            // u8 pflags[15]; u8 invert; (revision 1). flags 1 = destination ports.
            guard data.count >= 32, data[0] == 1 else { return [] }
            let count = min(Int(data[1]), 15)
            let ports = (0..<count).map { data.loadUnaligned(fromByteOffset: 2 + 2 * $0, as: UInt16.self) }
            guard revision(of: match) >= 1 else { return ports }
            guard data.count >= 48, data[47] == 0 else { return [] }
            var singles: [UInt16] = []
            var index = 0
            while index < count {
                if data[32 + index] != 0 {
                    index += 2  // a range ports[index]...ports[index + 1]
                } else {
                    singles.append(ports[index])
                    index += 1
                }
            }
            return singles
        default:
            return []
        }
    }

    private static func name(of extensionData: UnsafeRawBufferPointer) -> Substring {
        let start = CIPTables_xt_name_offset()
        let end = min(start + CIPTables_xt_name_length(), extensionData.count)
        guard start < end else { return "" }
        let bytes = extensionData[start..<end].prefix(while: { $0 != 0 })
        return Substring(String(decoding: bytes, as: UTF8.self))
    }

    private static func revision(of extensionData: UnsafeRawBufferPointer) -> UInt8 {
        let offset = CIPTables_xt_revision_offset()
        return offset < extensionData.count ? extensionData[offset] : 0
    }
}
