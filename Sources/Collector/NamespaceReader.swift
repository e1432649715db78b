/// Reads every IPVS object of one network namespace over its own netlink socket.
///
/// The socket is created once, inside the namespace, and kept: reads need no further
/// namespace switch. After a failure the socket is dropped and created again on the
/// next read (the IPVS family id changes when ip_vs is reloaded). Not thread-safe.
final class NamespaceReader {
    let namespace: String
    private var socket: GenericNetlinkSocket?
    /// Malformed messages skipped since the reader was created.
    private(set) var malformedMessagesTotal = 0

    init(namespace: String) {
        self.namespace = namespace
    }

    /// Opens the socket now (at start-up, while the agent still has the privileges to
    /// enter namespaces) rather than at the first read.
    func open() throws(CollectorError) {
        if socket != nil { return }
        let namespace = self.namespace
        if namespace.isEmpty {
            socket = try GenericNetlinkSocket(namespace: namespace)
        } else {
            socket = try NetworkNamespace.perform(in: namespace) { () throws(CollectorError) in
                try GenericNetlinkSocket(namespace: namespace)
            }
        }
    }

    func read() throws(CollectorError) -> NamespaceSnapshot {
        let start = ContinuousClock.now
        try open()
        guard let socket else { throw CollectorError(.failure, namespace: namespace, detail: "no socket") }
        do {
            var snapshot = try read(with: socket)
            let elapsed = ContinuousClock.now - start
            snapshot.durationSeconds =
                Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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

        var marks = FirewallMarks()
        if services.contains(where: { $0.firewallMark != nil }) {
            marks = readMarks()
        }
        malformedMessagesTotal += malformed
        return NamespaceSnapshot(
            namespace: namespace, info: info, services: services, markPorts: marks.ports,
            markAddresses: marks.addresses, malformedMessages: malformedMessagesTotal)
    }

    /// The ports and addresses of the namespace's mangle MARK rules; empty when they cannot
    /// be read (a missing port label or name never fails a collection).
    private func readMarks() -> FirewallMarks {
        if namespace.isEmpty { return FirewallMarkRules.readCurrentNamespace() }
        return (try? NetworkNamespace.perform(in: namespace) { () throws(CollectorError) in
            FirewallMarkRules.readCurrentNamespace()
        }) ?? FirewallMarks()
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
