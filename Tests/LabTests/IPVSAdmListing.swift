/// One parsed `ipvsadm -Ln ...` output.
struct IPVSAdmListing: Sendable, Hashable {
    var mode: IPVSAdmMode
    /// The IPVS version from the first line (`IP Virtual Server version 1.2.1 (size=4096)`).
    var version: String
    /// The connection table size from the first line.
    var connectionTableSize: Int
    var services: [IPVSAdmService]

    /// The service with `key`, if listed.
    func service(_ key: IPVSAdmServiceKey) -> IPVSAdmService? {
        services.first { $0.key == key }
    }
}
