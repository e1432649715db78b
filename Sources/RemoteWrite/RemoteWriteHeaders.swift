import HTTPTransport

/// The header fields every remote-write request carries. They go on the request
/// itself, so they replace any configured field of the same name: a user's extra
/// headers cannot change the protocol's.
enum RemoteWriteHeaders {
    static let version = "X-Prometheus-Remote-Write-Version"
    static let samplesWritten = "X-Prometheus-Remote-Write-Samples-Written"
    static let tenant = "X-Scope-OrgID"

    static func fields(for protocolVersion: RemoteWriteProtocol, tenant: String?) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Encoding", value: "snappy")
        headers.add(name: "Content-Type", value: protocolVersion.contentType)
        headers.add(name: version, value: protocolVersion.versionHeader)
        headers.add(name: "User-Agent", value: IPVSPushVersion.userAgent)
        if let tenant, !tenant.isEmpty { headers.add(name: Self.tenant, value: tenant) }
        return headers
    }
}
