import Namespaces
import TimeUnits

/// Reads every IPVS object of one network namespace over its own netlink socket.
///
/// The socket is created once, inside the namespace, and kept: reads need no further
/// namespace switch. After a failure the socket is dropped and created again on the
/// next read (the IPVS family id changes when ip_vs is reloaded). Not thread-safe.
final class NamespaceReader {
    let namespace: String
    /// Whether a namespace without virtual services still gets its timeouts, sync daemons and
    /// sysctls read: yes for a namespace given by path (it always has series), no for one a
    /// pattern matched (only those with services get series; a Docker host has a namespace
    /// per container).
    let readsSettingsWithoutServices: Bool
    /// Whether the connection table is counted (`--connection-states`), in the same visit.
    let connectionStates: Bool
    private var socket: GenericNetlinkSocket?
    /// Malformed messages skipped since the reader was created.
    private(set) var malformedMessagesTotal = 0

    init(namespace: String, readsSettingsWithoutServices: Bool = true, connectionStates: Bool = false) {
        self.namespace = namespace
        self.readsSettingsWithoutServices = readsSettingsWithoutServices
        self.connectionStates = connectionStates
    }

    /// Opens the socket now (at start-up, while the agent still has the privileges to
    /// enter namespaces) rather than at the first read.
    func open() throws(CollectorError) {
        if socket != nil { return }
        let namespace = self.namespace
        if namespace.isEmpty {
            socket = try GenericNetlinkSocket(namespace: namespace)
        } else {
            socket = try inNamespace { () throws(CollectorError) in try GenericNetlinkSocket(namespace: namespace) }
        }
    }

    func read() throws(CollectorError) -> NamespaceSnapshot {
        let start = ContinuousClock.now
        try open()
        guard let socket else { throw CollectorError(.failure, namespace: namespace, detail: "no socket") }
        do {
            var snapshot = try read(with: socket)
            snapshot.durationSeconds = (ContinuousClock.now - start).seconds
            return snapshot
        } catch {
            self.socket = nil
            throw error
        }
    }

    private func read(with socket: GenericNetlinkSocket) throws(CollectorError) -> NamespaceSnapshot {
        var info: IPVSInfo?
        var malformed = 0
        try socket.request(.getInfo, dump: false) { message in
            do { info = try IPVSMessageParser.parseInfo(message) } catch { malformed += 1 }
        }
        guard let info else {
            throw CollectorError(.failure, namespace: namespace, detail: "the kernel sent no usable IPVS info reply")
        }

        var services: [VirtualService] = []
        try socket.request(.getService, dump: true) { message in
            do { services.append(try IPVSMessageParser.parseService(message)) } catch { malformed += 1 }
        }

        // Sorted before the destinations are attached, so the sort moves small values.
        services.sort(by: VirtualService.isOrderedBefore)
        for index in services.indices {
            let service = services[index]
            var destinations: [RealServer] = []
            try socket.request(.getDestination, dump: true, attributes: Self.serviceIdentity(service)) { message in
                do {
                    destinations.append(try IPVSMessageParser.parseDestination(message, serviceFamily: service.family))
                } catch {
                    malformed += 1
                }
            }
            destinations.sort(by: RealServer.isOrderedBefore)
            services[index].destinations = destinations
        }

        var snapshot = NamespaceSnapshot(namespace: namespace, info: info, services: services)
        if readsSettingsWithoutServices || !services.isEmpty {
            try socket.request(.getConfig, dump: false) { message in
                do { snapshot.timeouts = try IPVSMessageParser.parseConfig(message) } catch { malformed += 1 }
            }
            var daemons: [SyncDaemon] = []
            try socket.request(.getDaemon, dump: true) { message in
                do { daemons.append(try IPVSMessageParser.parseDaemon(message)) } catch { malformed += 1 }
            }
            snapshot.syncDaemons = SyncDaemon.running(daemons)
            let files = readNamespaceFiles(marks: services.contains { $0.firewallMark != nil })
            snapshot.markPorts = files.marks.ports
            snapshot.markAddresses = files.marks.addresses
            snapshot.sysctls = files.sysctls
            if let table = files.connections {
                snapshot.connections = ConnectionTable.attribute(
                    table.counts, to: services, markPorts: files.marks.ports, markAddresses: files.marks.addresses)
            }
        }
        malformedMessagesTotal += malformed
        snapshot.malformedMessages = malformedMessagesTotal
        return snapshot
    }

    /// What is read from files inside the namespace, in one visit to its thread: the ports and
    /// addresses of its mangle MARK rules (when `marks`), its IPVS sysctls and, with
    /// ``connectionStates``, its connection table counted. Empty when they cannot be read (a
    /// missing port label, name or setting never fails a collection).
    private func readNamespaceFiles(marks: Bool) -> NamespaceFiles {
        let connectionStates = self.connectionStates
        let read = { () -> NamespaceFiles in
            NamespaceFiles(
                marks: marks ? FirewallMarkRules.readCurrentNamespace() : FirewallMarks(),
                sysctls: IPVSSysctls.readCurrentNamespace(),
                connections: connectionStates ? ConnectionTable.countCurrentNamespace() : nil)
        }
        if namespace.isEmpty { return read() }
        return (try? inNamespace(read)) ?? NamespaceFiles(marks: FirewallMarks(), sysctls: [], connections: nil)
    }

    /// Runs `body` on the thread inside the reader's namespace (entered if needed).
    private func inNamespace<T>(_ body: () throws(CollectorError) -> T) throws(CollectorError) -> T {
        let outcome: Result<T, CollectorError>
        do {
            outcome = try NetworkNamespace.perform(in: namespace) { Result(catching: body) }
        } catch {
            throw CollectorError(error)
        }
        return try outcome.get()
    }

    private struct NamespaceFiles {
        var marks: FirewallMarks
        var sysctls: [IPVSSysctl]
        var connections: ConnectionTableCounter?
    }

    /// The nested `IPVS_CMD_ATTR_SERVICE` that names a service in a destination dump:
    /// address family, then the firewall mark, or protocol, address and port.
    static func serviceIdentity(_ service: VirtualService) -> [UInt8] {
        typealias A = IPVSProtocol.ServiceAttribute
        var inner: [UInt8] = []
        appendAttribute(A.addressFamily.rawValue, value: service.family.rawValue, to: &inner)
        if let mark = service.firewallMark {
            appendAttribute(A.firewallMark.rawValue, value: mark, to: &inner)
        } else {
            appendAttribute(A.protocolNumber.rawValue, value: service.protocolNumber, to: &inner)
            let address = service.address ?? IPAddress(family: service.family, bytes: [])
            address.withBytes { appendAttribute(A.address.rawValue, payload: $0, to: &inner) }
            appendAttribute(A.port.rawValue, value: (service.port ?? 0).bigEndian, to: &inner)
        }
        var nest: [UInt8] = []
        inner.withUnsafeBytes {
            appendAttribute(IPVSProtocol.CommandAttribute.service.rawValue | nestedFlag, payload: $0, to: &nest)
        }
        return nest
    }

    /// NLA_F_NESTED, set on attributes that hold attributes.
    private static let nestedFlag: UInt16 = 0x8000

    private static func appendAttribute<T: FixedWidthInteger>(_ type: UInt16, value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value) { appendAttribute(type, payload: $0, to: &bytes) }
    }

    /// One netlink attribute: length, type, payload, padded to 4 bytes.
    private static func appendAttribute(_ type: UInt16, payload: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        let length = UInt16(IPVSProtocol.attributeHeaderSize + payload.count)
        withUnsafeBytes(of: length) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: type) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: payload)
        bytes.append(contentsOf: repeatElement(0, count: (4 - payload.count % 4) % 4))
    }
}
