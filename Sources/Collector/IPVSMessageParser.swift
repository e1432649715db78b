/// Turns the kernel's IPVS generic-netlink replies into the data model.
///
/// Every function takes one whole netlink message (header included), checks each
/// length against the bytes present, and throws ``NetlinkMessageError`` for anything
/// malformed or truncated, so the caller can skip and count it.
enum IPVSMessageParser {
    /// The generic-netlink command and attribute bytes of a message.
    static func payload(of message: UnsafeRawBufferPointer, expecting command: IPVSProtocol.Command)
        throws(NetlinkMessageError) -> UnsafeRawBufferPointer
    {
        let headers = IPVSProtocol.netlinkHeaderSize + IPVSProtocol.genericHeaderSize
        guard message.count >= headers else {
            throw NetlinkMessageError("message of \(message.count) bytes is shorter than its headers")
        }
        let length = Int(message.loadUnaligned(as: UInt32.self))
        guard length >= headers, length <= message.count else {
            throw NetlinkMessageError("message claims \(length) bytes, \(message.count) present")
        }
        let received = message[IPVSProtocol.netlinkHeaderSize]
        guard received == command.rawValue else {
            throw NetlinkMessageError("expected command \(command.rawValue), got \(received)")
        }
        return UnsafeRawBufferPointer(rebasing: message[headers..<length])
    }

    /// The nested attribute `type` at the top level of a command's payload.
    static func nested(_ type: IPVSProtocol.CommandAttribute, in payload: UnsafeRawBufferPointer)
        throws(NetlinkMessageError) -> UnsafeRawBufferPointer
    {
        var found: UnsafeRawBufferPointer?
        try NetlinkAttributes(payload).forEach { attributeType, attributePayload throws(NetlinkMessageError) in
            if attributeType == type.rawValue { found = attributePayload }
        }
        guard let found else { throw NetlinkMessageError("no nested attribute \(type)") }
        return found
    }

    static func parseService(_ message: UnsafeRawBufferPointer) throws(NetlinkMessageError) -> VirtualService {
        let attributes = try nested(.service, in: payload(of: message, expecting: .newService))
        typealias A = IPVSProtocol.ServiceAttribute
        var family: UInt16?
        var protocolNumber: UInt16?
        var addressBytes: UnsafeRawBufferPointer?
        var port: UInt16?
        var mark: UInt32?
        var rawNetmask: UInt32 = 0
        var service = VirtualService(family: .inet)
        var stats: IPVSStats?
        var stats64: IPVSStats?
        try NetlinkAttributes(attributes).forEach { type, value throws(NetlinkMessageError) in
            switch A(rawValue: type) {
            case .addressFamily: family = try value.netlinkU16("service address family")
            case .protocolNumber: protocolNumber = try value.netlinkU16("service protocol")
            case .address: addressBytes = value
            case .port: port = try value.netlinkBigEndianU16("service port")
            case .firewallMark: mark = try value.netlinkU32("service firewall mark")
            case .schedulerName: service.scheduler = value.netlinkString()
            case .flags: service.flags = ServiceFlags(rawValue: try value.netlinkU32("service flags"))
            case .timeout: service.timeout = try value.netlinkU32("service timeout")
            case .netmask: rawNetmask = try value.netlinkU32("service netmask")
            case .persistenceEngine: service.persistenceEngine = value.netlinkString()
            case .stats: stats = try parseStats(value)
            case .stats64: stats64 = try parseStats(value)
            case nil: break  // attributes of newer kernels
            }
        }
        guard let rawFamily = family else { throw NetlinkMessageError("service without address family") }
        guard let addressFamily = IPAddressFamily(rawValue: rawFamily) else {
            throw NetlinkMessageError("service with unknown address family \(rawFamily)")
        }
        service.family = addressFamily
        // An IPv4 netmask travels in network byte order; IPv6 carries a prefix length.
        service.netmask = addressFamily == .inet ? UInt32(bigEndian: rawNetmask) : rawNetmask
        if let mark, mark != 0 {
            service.firewallMark = mark
        } else {
            guard let protocolNumber, let addressBytes, let port else {
                throw NetlinkMessageError("service without firewall mark lacks protocol, address or port")
            }
            guard addressBytes.count >= (addressFamily == .inet ? 4 : 16) else {
                throw NetlinkMessageError("service address has \(addressBytes.count) bytes")
            }
            service.protocolNumber = protocolNumber
            service.transportProtocol = TransportProtocol(rawValue: protocolNumber)
            service.address = IPAddress(family: addressFamily, raw: addressBytes)
            service.port = port
        }
        guard let chosen = stats64 ?? stats else { throw NetlinkMessageError("service without statistics") }
        service.stats = chosen
        return service
    }

    static func parseDestination(_ message: UnsafeRawBufferPointer, serviceFamily: IPAddressFamily)
        throws(NetlinkMessageError) -> RealServer
    {
        let attributes = try nested(.destination, in: payload(of: message, expecting: .newDestination))
        typealias A = IPVSProtocol.DestinationAttribute
        var addressBytes: UnsafeRawBufferPointer?
        var port: UInt16?
        var family = serviceFamily
        var forwarding = ForwardingMethod.masquerade
        var server = RealServer(address: IPAddress(family: .inet, bytes: []), port: 0)
        var stats: IPVSStats?
        var stats64: IPVSStats?
        try NetlinkAttributes(attributes).forEach { type, value throws(NetlinkMessageError) in
            switch A(rawValue: type) {
            case .address: addressBytes = value
            case .port: port = try value.netlinkBigEndianU16("destination port")
            case .forwardingMethod:
                let raw = try value.netlinkU32("destination forwarding method") & 0x7
                guard let method = ForwardingMethod(rawValue: raw) else {
                    throw NetlinkMessageError("destination forwarding method \(raw) unknown")
                }
                forwarding = method
            case .weight: server.weight = Int32(bitPattern: try value.netlinkU32("destination weight"))
            case .upperThreshold: server.upperThreshold = try value.netlinkU32("destination upper threshold")
            case .lowerThreshold: server.lowerThreshold = try value.netlinkU32("destination lower threshold")
            case .activeConnections: server.activeConnections = try value.netlinkU32("active connections")
            case .inactiveConnections: server.inactiveConnections = try value.netlinkU32("inactive connections")
            case .persistentConnections: server.persistentConnections = try value.netlinkU32("persistent connections")
            case .addressFamily:
                let raw = try value.netlinkU16("destination address family")
                guard let parsed = IPAddressFamily(rawValue: raw) else {
                    throw NetlinkMessageError("destination with unknown address family \(raw)")
                }
                family = parsed
            case .stats: stats = try parseStats(value)
            case .stats64: stats64 = try parseStats(value)
            case .tunnelType, .tunnelPort, .tunnelFlags, nil: break
            }
        }
        guard let addressBytes, let port else { throw NetlinkMessageError("destination without address or port") }
        guard addressBytes.count >= (family == .inet ? 4 : 16) else {
            throw NetlinkMessageError("destination address has \(addressBytes.count) bytes")
        }
        guard let chosen = stats64 ?? stats else { throw NetlinkMessageError("destination without statistics") }
        server.address = IPAddress(family: family, raw: addressBytes)
        server.port = port
        server.forwarding = forwarding
        server.stats = chosen
        return server
    }

    static func parseInfo(_ message: UnsafeRawBufferPointer) throws(NetlinkMessageError) -> IPVSInfo {
        let attributes = try payload(of: message, expecting: .setInfo)
        var version: UInt32?
        var size: UInt32?
        try NetlinkAttributes(attributes).forEach { type, value throws(NetlinkMessageError) in
            switch IPVSProtocol.InfoAttribute(rawValue: type) {
            case .version: version = try value.netlinkU32("IPVS version")
            case .connectionTableSize: size = try value.netlinkU32("connection table size")
            case nil: break
            }
        }
        guard let version, let size else { throw NetlinkMessageError("info reply lacks version or table size") }
        return IPVSInfo(versionCode: version, connectionTableSize: size)
    }

    /// The reply to `IPVS_CMD_GET_CONFIG` (`IPVS_CMD_SET_CONFIG` with the three timeouts at
    /// the top level). A timeout the kernel leaves out stays nil.
    static func parseConfig(_ message: UnsafeRawBufferPointer) throws(NetlinkMessageError) -> IPVSTimeouts {
        let attributes = try payload(of: message, expecting: .setConfig)
        var timeouts = IPVSTimeouts()
        try NetlinkAttributes(attributes).forEach { type, value throws(NetlinkMessageError) in
            switch IPVSProtocol.CommandAttribute(rawValue: type) {
            case .timeoutTCP: timeouts.tcp = try value.netlinkU32("TCP timeout")
            case .timeoutTCPFin: timeouts.tcpFin = try value.netlinkU32("TCP FIN timeout")
            case .timeoutUDP: timeouts.udp = try value.netlinkU32("UDP timeout")
            default: break
            }
        }
        return timeouts
    }

    /// One message of the `IPVS_CMD_GET_DAEMON` dump: a running sync daemon.
    static func parseDaemon(_ message: UnsafeRawBufferPointer) throws(NetlinkMessageError) -> SyncDaemon {
        let attributes = try nested(.daemon, in: payload(of: message, expecting: .newDaemon))
        var state: UInt32?
        var interface: String?
        var syncID: UInt32?
        try NetlinkAttributes(attributes).forEach { type, value throws(NetlinkMessageError) in
            switch IPVSProtocol.DaemonAttribute(rawValue: type) {
            case .state: state = try value.netlinkU32("sync daemon state")
            case .multicastInterface: interface = value.netlinkString()
            case .syncID: syncID = try value.netlinkU32("sync daemon SyncID")
            default: break  // the multicast group, port, TTL and message size
            }
        }
        guard let state, let interface, let syncID else {
            throw NetlinkMessageError("sync daemon without state, interface or SyncID")
        }
        switch state {
        case IPVSProtocol.daemonStateMaster: return SyncDaemon(state: .master, interface: interface, syncID: syncID)
        case IPVSProtocol.daemonStateBackup: return SyncDaemon(state: .backup, interface: interface, syncID: syncID)
        default: throw NetlinkMessageError("sync daemon state \(state) unknown")
        }
    }

    static func parseStats(_ nest: UnsafeRawBufferPointer) throws(NetlinkMessageError) -> IPVSStats {
        var stats = IPVSStats()
        typealias A = IPVSProtocol.StatsAttribute
        try NetlinkAttributes(nest).forEach { type, value throws(NetlinkMessageError) in
            switch A(rawValue: type) {
            case .connections: stats.connections = try value.netlinkCounter("connections")
            case .incomingPackets: stats.incomingPackets = try value.netlinkCounter("incoming packets")
            case .outgoingPackets: stats.outgoingPackets = try value.netlinkCounter("outgoing packets")
            case .incomingBytes: stats.incomingBytes = try value.netlinkCounter("incoming bytes")
            case .outgoingBytes: stats.outgoingBytes = try value.netlinkCounter("outgoing bytes")
            case .connectionsPerSecond: stats.connectionsPerSecond = try value.netlinkCounter("connection rate")
            case .incomingPacketsPerSecond:
                stats.incomingPacketsPerSecond = try value.netlinkCounter("incoming packet rate")
            case .outgoingPacketsPerSecond:
                stats.outgoingPacketsPerSecond = try value.netlinkCounter("outgoing packet rate")
            case .incomingBytesPerSecond: stats.incomingBytesPerSecond = try value.netlinkCounter("incoming byte rate")
            case .outgoingBytesPerSecond: stats.outgoingBytesPerSecond = try value.netlinkCounter("outgoing byte rate")
            case .pad, nil: break
            }
        }
        return stats
    }
}
