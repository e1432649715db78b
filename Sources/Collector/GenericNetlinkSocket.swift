import CLinux
import CNetlink

#if canImport(Glibc)
    import Glibc
#endif

/// A generic-netlink socket bound to the IPVS family.
///
/// libnl-genl-3 connects the socket and resolves the family id, once. Requests and
/// replies then go over the socket's descriptor directly: a request is written into a
/// reused buffer and sent with one `sendto`, and the replies are read with `recvmmsg`
/// into two reused 64 KiB buffers. A dump needs at least two datagrams (the kernel
/// sends NLMSG_DONE in an skb of its own, queued while the data is being read), so
/// reading two per call makes a one-batch dump (a service's real servers) cost one
/// `sendto` and one `recvmmsg` instead of a `sendmsg` and two `recvmsg`: at 10,000
/// services that is 10,000 system calls fewer per collection, and in the user-mode
/// Linux lab a system call is a host round trip. Replies are handed to the caller as
/// raw message bytes and parsed in Swift (``IPVSMessageParser``).
///
/// The socket stays bound to the network namespace it was created in, so a reader
/// for another namespace creates it there once and keeps it. Not thread-safe: one
/// owner at a time.
final class GenericNetlinkSocket {
    private let socket: OpaquePointer
    private let descriptor: Int32
    private let familyID: UInt16
    private let namespace: String
    private var sequence: UInt32
    private var message: [UInt8] = []
    private let receiver = DatagramReceiver(count: 2, size: 64 * 1024)

    /// Connects and resolves the IPVS family in the calling thread's namespace.
    init(namespace: String) throws(CollectorError) {
        self.namespace = namespace
        guard let socket = nl_socket_alloc() else {
            throw CollectorError(.failure, namespace: namespace, detail: "nl_socket_alloc failed: out of memory")
        }
        self.socket = socket
        let connected = genl_connect(socket)
        guard connected == 0 else {
            nl_socket_free(socket)
            throw CollectorError(.failure, namespace: namespace, detail: "genl_connect: \(Self.message(connected))")
        }
        let family = genl_ctrl_resolve(socket, IPVSProtocol.familyName)
        guard family >= 0 else {
            nl_socket_free(socket)
            if -family == NLE_OBJ_NOTFOUND {
                throw CollectorError(
                    .ipvsUnavailable, namespace: namespace,
                    detail: "the kernel has no generic-netlink family IPVS")
            }
            throw CollectorError(.failure, namespace: namespace, detail: "resolving IPVS: \(Self.message(family))")
        }
        familyID = UInt16(truncatingIfNeeded: family)
        descriptor = nl_socket_get_fd(socket)
        // Replies to our requests carry our sequence numbers; start away from libnl's.
        sequence = UInt32(truncatingIfNeeded: family) << 20
        _ = nl_socket_set_buffer_size(socket, 1 << 20, 0)
    }

    deinit {
        nl_socket_free(socket)
    }

    /// Sends `command` (as a dump when `dump` is set) with the attribute bytes
    /// `attributes`, and calls `onMessage` with every reply message until the kernel
    /// is done. A dump the kernel marks as interrupted (the table changed under it) is
    /// asked again, up to three times.
    func request(
        _ command: IPVSProtocol.Command, dump: Bool, attributes: [UInt8] = [],
        onMessage: (UnsafeRawBufferPointer) -> Void
    ) throws(CollectorError) {
        var attempts = 0
        while true {
            attempts += 1
            sequence &+= 1
            try send(command, dump: dump, attributes: attributes)
            let interrupted = try receive(command, dump: dump, onMessage: onMessage)
            if !interrupted { return }
            if attempts >= 3 {
                throw CollectorError(
                    .failure, namespace: namespace,
                    detail: "netlink command \(command) failed: the dump was interrupted \(attempts) times "
                        + "(the IPVS table kept changing while it was read)")
            }
        }
    }

    private func send(_ command: IPVSProtocol.Command, dump: Bool, attributes: [UInt8]) throws(CollectorError) {
        let length = IPVSProtocol.netlinkHeaderSize + IPVSProtocol.genericHeaderSize + attributes.count
        message.removeAll(keepingCapacity: true)
        Self.append(UInt32(length), to: &message)  // nlmsg_len
        Self.append(familyID, to: &message)  // nlmsg_type
        Self.append(UInt16(Self.request | (dump ? Self.dumpFlags : 0)), to: &message)  // nlmsg_flags
        Self.append(sequence, to: &message)  // nlmsg_seq
        Self.append(UInt32(0), to: &message)  // nlmsg_pid: the kernel fills in ours
        message += [command.rawValue, IPVSProtocol.version, 0, 0]  // genlmsghdr
        message += attributes
        var kernel = sockaddr_nl()
        kernel.nl_family = sa_family_t(AF_NETLINK)
        let sent = message.withUnsafeBytes { bytes in
            withUnsafePointer(to: &kernel) { address in
                address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    retryingOnInterrupt {
                        sendto(
                            descriptor, bytes.baseAddress, bytes.count, 0, address,
                            socklen_t(MemoryLayout<sockaddr_nl>.size))
                    }
                }
            }
        }
        guard sent == length else { throw failure(during: command, errno: sent < 0 ? errno : EMSGSIZE) }
    }

    /// Reads replies to the request just sent until it is answered; returns whether
    /// the kernel marked the dump as interrupted.
    private func receive(_ command: IPVSProtocol.Command, dump: Bool, onMessage: (UnsafeRawBufferPointer) -> Void)
        throws(CollectorError) -> Bool
    {
        var interrupted = false
        while true {
            let received = retryingOnInterrupt { receiver.receive(from: descriptor) }
            guard received > 0 else { throw failure(during: command, errno: received < 0 ? errno : EPIPE) }
            for index in 0..<received {
                guard let datagram = receiver.datagram(index) else {
                    throw CollectorError(
                        .failure, namespace: namespace,
                        detail: "netlink command \(command) failed: a reply did not fit the 64 KiB receive buffer")
                }
                var offset = 0
                while datagram.count - offset >= IPVSProtocol.netlinkHeaderSize {
                    let length = Int(datagram.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
                    guard length >= IPVSProtocol.netlinkHeaderSize, length <= datagram.count - offset else {
                        throw CollectorError(
                            .failure, namespace: namespace,
                            detail: "netlink command \(command) failed: a reply message claims \(length) bytes, "
                                + "\(datagram.count - offset) present")
                    }
                    let type = datagram.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
                    let flags = datagram.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self)
                    let messageSequence = datagram.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
                    let message = UnsafeRawBufferPointer(rebasing: datagram[offset..<(offset + length)])
                    offset += (length + 3) & ~3
                    // A late reply to an earlier, abandoned request: not ours.
                    guard messageSequence == sequence else { continue }
                    if flags & Self.dumpInterrupted != 0 { interrupted = true }
                    switch Int32(type) {
                    case NLMSG_NOOP:
                        continue
                    case NLMSG_DONE:
                        if message.count >= IPVSProtocol.netlinkHeaderSize + 4 {
                            let status = message.loadUnaligned(
                                fromByteOffset: IPVSProtocol.netlinkHeaderSize, as: Int32.self)
                            if status < 0 { throw failure(during: command, errno: -status) }
                        }
                        return interrupted
                    case NLMSG_ERROR:
                        guard message.count >= IPVSProtocol.netlinkHeaderSize + 4 else {
                            throw failure(during: command, errno: EBADMSG)
                        }
                        let status = message.loadUnaligned(
                            fromByteOffset: IPVSProtocol.netlinkHeaderSize, as: Int32.self)
                        if status < 0 { throw failure(during: command, errno: -status) }
                        return interrupted  // an acknowledgement
                    case NLMSG_OVERRUN:
                        throw failure(during: command, errno: ENOBUFS)
                    default:
                        onMessage(message)
                        // A request that is not a dump has exactly one reply.
                        if !dump { return interrupted }
                    }
                }
            }
        }
    }

    private func failure(during command: IPVSProtocol.Command, errno code: Int32) -> CollectorError {
        let what = "netlink command \(command) failed: \(String(cString: strerror(code)))"
        switch code {
        case EPERM, EACCES: return CollectorError(.permissionDenied, namespace: namespace, detail: what)
        default: return CollectorError(.failure, namespace: namespace, detail: what)
        }
    }

    static func message(_ code: Int32) -> String {
        String(cString: nl_geterror(code))
    }

    private static let request = 0x1  // NLM_F_REQUEST
    private static let dumpFlags = 0x300  // NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
    private static let dumpInterrupted: UInt16 = 0x10  // NLM_F_DUMP_INTR

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }
}

/// Runs a system call again while it fails with EINTR.
@inline(__always)
private func retryingOnInterrupt<T: SignedInteger>(_ call: () -> T) -> T {
    while true {
        let result = call()
        if result < 0 && errno == EINTR { continue }
        return result
    }
}

/// `recvmmsg(2)` into reused buffers, asking for up to `count` datagrams but waiting for
/// the first only (MSG_WAITFORONE), through CLinux (glibc declares recvmmsg only for
/// _GNU_SOURCE).
private final class DatagramReceiver {
    private let count: Int
    private let size: Int
    private let buffers: UnsafeMutableRawPointer
    private let vectors: UnsafeMutablePointer<iovec>
    private let headers: UnsafeMutablePointer<CLinux_mmsghdr>

    init(count: Int, size: Int) {
        self.count = count
        self.size = size
        buffers = .allocate(byteCount: count * size, alignment: 16)
        vectors = .allocate(capacity: count)
        headers = .allocate(capacity: count)
        headers.initialize(repeating: CLinux_mmsghdr(), count: count)
        for index in 0..<count {
            vectors[index] = iovec(iov_base: buffers + index * size, iov_len: size)
        }
    }

    deinit {
        buffers.deallocate()
        vectors.deallocate()
        headers.deallocate()
    }

    /// Receives up to `count` datagrams; returns how many, or -1 with errno set.
    func receive(from descriptor: Int32) -> Int {
        for index in 0..<count {
            headers[index] = CLinux_mmsghdr()
            headers[index].msg_hdr.msg_iov = vectors + index
            headers[index].msg_hdr.msg_iovlen = 1
        }
        return Int(CLinux_recvmmsg(descriptor, headers, UInt32(count), CLinux_MSG_WAITFORONE, nil))
    }

    /// The bytes of datagram `index` of the last receive; nil when it was cut short.
    func datagram(_ index: Int) -> UnsafeRawBufferPointer? {
        guard headers[index].msg_hdr.msg_flags & Int32(MSG_TRUNC) == 0 else { return nil }
        return UnsafeRawBufferPointer(start: buffers + index * size, count: Int(headers[index].msg_len))
    }
}
