import Privileges

/// Reads the IPVS sysctls that change how a namespace balances (`/proc/sys/net/ipv4/vs/`).
///
/// They are per network namespace, and `/proc/sys/net` shows the namespace of the thread
/// that reads it (not the mount namespace's, and not the process's as `/proc/net` does;
/// `/proc/thread-self` has no `sys`): read them on the thread that entered the namespace.
/// Checked in the lab, where the values changed in a named namespace differ from the
/// host's. A sysctl the kernel does not have (older kernels lack `run_estimation`, newer
/// ones add `est_nice`) is left out.
enum IPVSSysctls {
    static let directory = "/proc/sys/net/ipv4/vs/"

    /// The integer sysctls read: the documented settings of `ipvs-sysctl.rst` that change
    /// behaviour, without `debug_level`, the list-valued `est_cpulist` and the schedulers'
    /// own (`lblc_expiration`, present only while that scheduler is loaded).
    static let names = [
        "am_droprate", "amemthresh", "backup_only", "cache_bypass", "conn_reuse_mode", "conntrack", "drop_entry",
        "drop_packet", "est_nice", "expire_nodest_conn", "expire_quiescent_template", "ignore_tunneled",
        "nat_icmp_send", "pmtu_disc", "run_estimation", "schedule_icmp", "secure_tcp", "sloppy_sctp", "sloppy_tcp",
        "snat_reroute", "sync_persist_mode", "sync_ports", "sync_qlen_max", "sync_refresh_period", "sync_retries",
        "sync_sock_size", "sync_threshold", "sync_version",
    ]

    /// Every sysctl of ``names`` the calling thread's namespace has, sorted by name.
    static func readCurrentNamespace() -> [IPVSSysctl] {
        var sysctls: [IPVSSysctl] = []
        for name in names {
            guard let text = ProcFile.read(directory + name) else { continue }
            sysctls += parse(name: name, text: text)
        }
        return sysctls.sorted { $0.name < $1.name }
    }

    /// The values of one sysctl file's text; nothing when it is not what the kernel writes
    /// (integers separated by white space). `sync_threshold` holds two numbers, the
    /// threshold and the period (`sync_period` in the kernel's documentation).
    static func parse(name: String, text: String) -> [IPVSSysctl] {
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map { Int64($0) }
        guard !numbers.isEmpty, !numbers.contains(nil) else { return [] }
        let values = numbers.compactMap { $0 }
        if name == "sync_threshold" {
            guard values.count == 2 else { return [] }
            return [
                IPVSSysctl(name: "sync_threshold", value: values[0]), IPVSSysctl(name: "sync_period", value: values[1]),
            ]
        }
        guard values.count == 1 else { return [] }
        return [IPVSSysctl(name: name, value: values[0])]
    }
}
