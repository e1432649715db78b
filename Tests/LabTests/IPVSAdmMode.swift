/// Which `ipvsadm -Ln` listing a text comes from. Each prints other columns after a real
/// server's address, and the counter/rate listings print no scheduler on service lines.
enum IPVSAdmMode: String, Sendable, CaseIterable {
    /// `ipvsadm -Ln`: Forward Weight ActiveConn InActConn.
    case list
    /// `ipvsadm -Ln --stats --exact`: Conns InPkts OutPkts InBytes OutBytes.
    case stats
    /// `ipvsadm -Ln --rate --exact`: CPS InPPS OutPPS InBPS OutBPS.
    case rate
    /// `ipvsadm -Ln --thresholds`: Uthreshold Lthreshold ActiveConn InActConn.
    case thresholds
    /// `ipvsadm -Ln --persistent-conn`: Weight PersistConn ActiveConn InActConn.
    case persistentConnections

    /// How many numbers follow a real server's address (after the forwarding name in `list`).
    var destinationColumns: Int {
        switch self {
        case .list: 3
        case .stats, .rate: 5
        case .thresholds, .persistentConnections: 4
        }
    }

    /// Whether service lines carry the scheduler, its flags and persistence (rather than numbers).
    var servicesCarryAttributes: Bool {
        switch self {
        case .list, .thresholds, .persistentConnections: true
        case .stats, .rate: false
        }
    }
}
