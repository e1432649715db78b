/// Numbers of the IPVS generic-netlink protocol (`include/uapi/linux/ip_vs.h`).
///
/// Kept in Swift rather than imported from the kernel header so that the message
/// parser, and the tests that build messages by hand, need no C module.
enum IPVSProtocol {
    static let familyName = "IPVS"
    static let version: UInt8 = 1

    enum Command: UInt8 {
        case newService = 1
        case getService = 4
        case newDestination = 5
        case getDestination = 8
        case newDaemon = 9
        case getDaemon = 11
        case setConfig = 12
        case getConfig = 13
        case setInfo = 14
        case getInfo = 15
    }

    /// Top-level attributes of a command.
    enum CommandAttribute: UInt16 {
        case service = 1
        case destination = 2
        case daemon = 3
        case timeoutTCP = 4
        case timeoutTCPFin = 5
        case timeoutUDP = 6
    }

    enum ServiceAttribute: UInt16 {
        case addressFamily = 1
        case protocolNumber = 2
        case address = 3
        case port = 4
        case firewallMark = 5
        case schedulerName = 6
        case flags = 7
        case timeout = 8
        case netmask = 9
        case stats = 10
        case persistenceEngine = 11
        case stats64 = 12
    }

    enum DestinationAttribute: UInt16 {
        case address = 1
        case port = 2
        case forwardingMethod = 3
        case weight = 4
        case upperThreshold = 5
        case lowerThreshold = 6
        case activeConnections = 7
        case inactiveConnections = 8
        case persistentConnections = 9
        case stats = 10
        case addressFamily = 11
        case stats64 = 12
        case tunnelType = 13
        case tunnelPort = 14
        case tunnelFlags = 15
    }

    /// Inside `CommandAttribute.daemon`. Kernels before 4.7 send only the first three.
    enum DaemonAttribute: UInt16 {
        case state = 1
        case multicastInterface = 2
        case syncID = 3
        case syncMaximumLength = 4
        case multicastGroup = 5
        case multicastGroup6 = 6
        case multicastPort = 7
        case multicastTTL = 8
    }

    /// `IP_VS_STATE_MASTER`, `IP_VS_STATE_BACKUP`: a daemon's state.
    static let daemonStateMaster: UInt32 = 1
    static let daemonStateBackup: UInt32 = 2

    enum StatsAttribute: UInt16 {
        case connections = 1
        case incomingPackets = 2
        case outgoingPackets = 3
        case incomingBytes = 4
        case outgoingBytes = 5
        case connectionsPerSecond = 6
        case incomingPacketsPerSecond = 7
        case outgoingPacketsPerSecond = 8
        case incomingBytesPerSecond = 9
        case outgoingBytesPerSecond = 10
        case pad = 11
    }

    enum InfoAttribute: UInt16 {
        case version = 1
        case connectionTableSize = 2
    }

    /// `NLA_TYPE_MASK`: the attribute type without the nested / byte-order flags.
    static let attributeTypeMask: UInt16 = 0x3fff

    static let netlinkHeaderSize = 16
    static let genericHeaderSize = 4
    static let attributeHeaderSize = 4

    /// Netlink message types every family shares.
    static let messageTypeError: UInt16 = 2
    static let messageTypeDone: UInt16 = 3
}
