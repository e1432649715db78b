import Logging
import NIOCore
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Enforces `client_allowed_sans`: the client certificate must carry one of the allowed
/// names among its subject alternative names (DNS names, e-mail addresses, IP addresses
/// written as Go writes them, URIs), matched exactly as exporter-toolkit does.
///
/// It sits right behind the TLS handler and looks at the certificate when the first
/// decrypted bytes arrive, before they reach the HTTP parser: a certificate without an
/// allowed name gets the connection closed and nothing it sent is read. (exporter-toolkit
/// fails the handshake itself; swift-nio-ssl has no stable hook for a check after chain
/// verification, so the refusal comes one step later, with the same effect for the client:
/// no response.)
final class ClientSANCheckHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let allowed: Set<String>
    private let tlsHandler: NIOSSLServerHandler
    private let logger: Logger
    private var refused = false

    init(allowed: [String], tlsHandler: NIOSSLServerHandler, logger: Logger) {
        self.allowed = Set(allowed)
        self.tlsHandler = tlsHandler
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        let names = tlsHandler.peerCertificate.map(Self.subjectAlternativeNames) ?? []
        guard names.contains(where: allowed.contains) else {
            refused = true
            logger.info(
                "refused a client certificate without an allowed subject alternative name",
                metadata: [
                    "client.address": "\(context.channel.remoteAddress.map { "\($0)" } ?? "unknown")",
                    "client.sans": "\(names.joined(separator: ","))",
                ])
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// The certificate's DNS, e-mail, IP and URI subject alternative names as text.
    static func subjectAlternativeNames(of certificate: NIOSSLCertificate) -> [String] {
        // NIOSSL offers the names only through this underscored API (public, and used by
        // its own hostname check); parsing the DER ourselves would be the alternative.
        certificate._subjectAlternativeNames().compactMap { name -> String? in
            let bytes = name.contents.withUnsafeBufferPointer { Array($0) }
            switch name.nameType {
            case .dnsName, .email, .uri:
                return String(decoding: bytes, as: UTF8.self)
            case .ipAddress:
                return ipText(bytes)
            default:
                return nil
            }
        }
    }

    /// An IP address as Go's `net.IP.String` writes it: IPv4 (also IPv4-mapped IPv6) dotted,
    /// IPv6 in the RFC 5952 short form.
    static func ipText(_ bytes: [UInt8]) -> String? {
        let mappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        if bytes.count == 4 || (bytes.count == 16 && Array(bytes.prefix(12)) == mappedPrefix) {
            return bytes.suffix(4).map(String.init).joined(separator: ".")
        }
        guard bytes.count == 16 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { address in
            inet_ntop(AF_INET6, address.baseAddress, &buffer, socklen_t(buffer.count))
        }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
