import CNetlink

#if canImport(Glibc)
import Glibc
#endif

/// A generic-netlink socket bound to the IPVS family, through libnl-genl-3.
///
/// The socket stays bound to the network namespace it was created in, so a reader
/// for another namespace creates it there once and keeps it. The family id is
/// resolved once. Replies are handed to the caller as raw message bytes and parsed
/// in Swift (``IPVSMessageParser``). Not thread-safe: one owner at a time.
final class GenericNetlinkSocket {
    private let socket: OpaquePointer
    private let familyID: Int32
    private let namespace: String
    private let sink = MessageSink()

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
        familyID = family
        // Kernel dump batches are at most 32 KiB; a buffer that size takes each batch
        // in one recvmsg instead of a peek and a read.
        // Requests are answered by a reply (or a dump ending in DONE); an extra ACK per
        // request would stay queued and be read as the answer to the next request.
        nl_socket_disable_auto_ack(socket)
        nl_socket_disable_msg_peek(socket)
        _ = nl_socket_set_msg_buf_size(socket, 64 * 1024)
        _ = nl_socket_set_buffer_size(socket, 1 << 20, 0)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        _ = nl_socket_modify_cb(socket, NL_CB_VALID, NL_CB_CUSTOM, messageCallback, context)
    }

    deinit {
        nl_socket_free(socket)
    }

    /// Sends `command` (as a dump when `dump` is set) with the attributes `build` adds,
    /// and calls `onMessage` with every reply message until the kernel is done.
    func request(
        _ command: IPVSProtocol.Command, dump: Bool,
        build: (OpaquePointer) -> Int32 = { _ in 0 },
        onMessage: (UnsafeRawBufferPointer) -> Void
    ) throws(CollectorError) {
        var attempts = 0
        while true {
            attempts += 1
            let result = withoutActuallyEscaping(onMessage) { handler in
                sink.handler = handler
                defer { sink.handler = nil }
                return sendAndReceive(command, dump: dump, build: build)
            }
            if result == 0 { return }
            // A dump the kernel marks as interrupted (the table changed under it) is retried.
            if -result == NLE_DUMP_INTR && attempts < 3 { continue }
            throw error(for: result, during: command)
        }
    }

    private func sendAndReceive(_ command: IPVSProtocol.Command, dump: Bool, build: (OpaquePointer) -> Int32)
        -> Int32
    {
        guard let message = nlmsg_alloc() else { return -Int32(NLE_NOMEM) }
        defer { nlmsg_free(message) }
        let flags = dump ? CNetlink_NLM_F_DUMP() : 0
        guard
            genlmsg_put(
                message, UInt32(NL_AUTO_PORT), UInt32(NL_AUTO_SEQ), familyID, 0, flags, command.rawValue,
                IPVSProtocol.version) != nil
        else { return -Int32(NLE_NOMEM) }
        let built = build(message)
        if built < 0 { return built }
        let sent = nl_send_auto(socket, message)
        if sent < 0 { return sent }
        return nl_recvmsgs_default(socket)
    }

    private func error(for code: Int32, during command: IPVSProtocol.Command) -> CollectorError {
        let what = "netlink command \(command) failed: \(Self.message(code))"
        switch -code {
        case NLE_PERM, NLE_NOACCESS: return CollectorError(.permissionDenied, namespace: namespace, detail: what)
        default: return CollectorError(.failure, namespace: namespace, detail: what)
        }
    }

    static func message(_ code: Int32) -> String {
        String(cString: nl_geterror(code))
    }
}

/// Where the C callback delivers messages: the handler of the request in progress.
private final class MessageSink {
    var handler: ((UnsafeRawBufferPointer) -> Void)?
}

private let messageCallback: nl_recvmsg_msg_cb_t = { message, context in
    guard let message, let context, let header = nlmsg_hdr(message) else { return Int32(NL_SKIP.rawValue) }
    let sink = Unmanaged<MessageSink>.fromOpaque(context).takeUnretainedValue()
    sink.handler?(UnsafeRawBufferPointer(start: header, count: Int(header.pointee.nlmsg_len)))
    return Int32(NL_OK.rawValue)
}
