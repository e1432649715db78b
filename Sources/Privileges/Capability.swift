/// One Linux capability (capabilities(7)), by its number in the kernel's bit masks.
public struct Capability: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The bit number (`CAP_NET_ADMIN` is 12).
    public let number: Int

    public init(number: Int) {
        self.number = number
    }

    /// IPVS' generic-netlink commands and reading the firewall tables need it at every request.
    public static let netAdmin = Capability(number: 12)
    /// Raw sockets (what iptables-legacy-save opens); ipvs-push does not need it.
    public static let netRaw = Capability(number: 13)
    /// Entering another network namespace with setns(2).
    public static let sysAdmin = Capability(number: 21)
    /// Binding TCP/UDP ports below 1024.
    public static let netBindService = Capability(number: 10)
    /// Changing the bounding set.
    public static let setPCap = Capability(number: 8)

    /// The kernel's names, by number, as capabilities(7) and /usr/include/linux/capability.h spell them.
    static let names = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ]

    /// `CAP_NET_ADMIN`; `CAP_41` for numbers newer than this table.
    public var name: String {
        number >= 0 && number < Self.names.count ? Self.names[number] : "CAP_\(number)"
    }

    public var description: String { name }

    /// The capability named `name` (`CAP_NET_ADMIN`, `net_admin`, `NET_ADMIN`), or nil.
    public init?(name: String) {
        var upper = name.uppercased()
        if !upper.hasPrefix("CAP_") { upper = "CAP_" + upper }
        guard let index = Self.names.firstIndex(of: upper) else { return nil }
        self.number = index
    }

    public static func < (lhs: Capability, rhs: Capability) -> Bool { lhs.number < rhs.number }
}
