/// What ipvsadm prints after a service's address in the listings with attributes:
/// `sh (sh-fallback,sh-port) persistent 120 mask 64 pe sip ops`.
struct IPVSAdmServiceAttributes: Sendable, Hashable {
    var scheduler: String
    /// Scheduler flag names as ipvsadm prints them: `sh-fallback`, `sh-port`, `mh-fallback`,
    /// `mh-port`, or `flag-1`...`flag-3` for other schedulers.
    var schedulerFlags: [String] = []
    /// The persistence timeout in seconds, for persistent services.
    var persistence: Int?
    /// The persistence netmask when ipvsadm prints one (it omits a full mask): dotted for
    /// IPv4, a prefix length for IPv6.
    var netmask: String?
    var persistenceEngine: String?
    /// One-packet scheduling (`ops`).
    var onePacket = false
}
