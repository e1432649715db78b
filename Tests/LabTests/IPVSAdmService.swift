/// A virtual service of an ipvsadm listing with its real servers.
struct IPVSAdmService: Sendable, Hashable {
    var key: IPVSAdmServiceKey
    /// Present in the listings whose service lines carry the scheduler (see ``IPVSAdmMode``).
    var attributes: IPVSAdmServiceAttributes?
    /// The service's own numbers in the counter and rate listings, empty otherwise.
    var numbers: [UInt64]
    var destinations: [IPVSAdmDestination]
}
