/// A real server line of an ipvsadm listing: `  -> 10.9.9.9:8080  Masq  1  0  15`.
struct IPVSAdmDestination: Sendable, Hashable {
    /// Canonical text without brackets.
    var address: String
    var port: Int
    /// The forwarding name of the `list` mode (`Masq`, `Local`, `Tunnel`, `Route`, or
    /// `(null)` for a method ipvsadm has no name for, such as bypass).
    var forwarding: String?
    /// The mode's numeric columns, in ipvsadm's order (see ``IPVSAdmMode``).
    var numbers: [UInt64]
}
