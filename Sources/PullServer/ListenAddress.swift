/// Where the pull server listens, parsed from the `host:port` form Go exporters take
/// (`--listen-address` of ingress_ipvs_exporter, `--web.listen-address` of the
/// exporter toolkit).
///
/// Accepted forms:
/// - `:9100`: every interface (IPv6 and IPv4 when the host has IPv6, else IPv4 only);
/// - `127.0.0.1:9100`, `0.0.0.0:9100`: an IPv4 address;
/// - `[::1]:9100`, `[::]:9100`: an IPv6 address, in brackets as in a URL;
/// - `localhost:9100`: a host name, resolved when the server binds.
///
/// Port 0 asks the kernel for a free port; ``MetricsServer/start()`` returns the port bound.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address or host name to bind; `nil` means every interface.
    public var host: String?
    /// The TCP port, 0 for one the kernel picks.
    public var port: Int

    public init(host: String?, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `text` in one of the forms listed on the type.
    ///
    /// - Throws: ``MetricsServerError/invalidListenAddress(_:reason:)`` when the text has
    ///   no port, a port outside 0...65535, or an unclosed bracket.
    public init(parsing text: String) throws(MetricsServerError) {
        let trimmed = text.trimmingSpaces()
        func invalid(_ reason: String) -> MetricsServerError {
            .invalidListenAddress(text, reason: reason)
        }
        var hostPart: Substring
        let portPart: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else {
                throw invalid("the IPv6 address has no closing bracket; write it as [::1]:9100")
            }
            hostPart = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw invalid("a port must follow the bracketed address, as in [::1]:9100")
            }
            portPart = rest.dropFirst()
            if hostPart.isEmpty { throw invalid("the brackets hold no address") }
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else {
                throw invalid("there is no port; write host:port or :port, as in :9100")
            }
            hostPart = trimmed[..<colon]
            portPart = trimmed[trimmed.index(after: colon)...]
            if hostPart.contains(":") {
                throw invalid("an IPv6 address must be written in brackets, as in [::1]:9100")
            }
        }
        guard !portPart.isEmpty, portPart.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portPart),
            (0...65535).contains(port)
        else {
            throw invalid("the port \"\(portPart)\" is not a number from 0 to 65535")
        }
        if hostPart == "*" { hostPart = "" }
        self.init(host: hostPart.isEmpty ? nil : String(hostPart), port: port)
    }

    /// The address in the form ``init(parsing:)`` reads.
    public var description: String {
        guard let host else { return ":\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, last.isWhitespace { slice = slice.dropLast() }
        return slice
    }
}
