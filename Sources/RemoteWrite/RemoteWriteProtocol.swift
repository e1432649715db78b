/// The version of the remote-write protocol a sender speaks.
///
/// 2.0 sends every string once per request and metadata with each series; it is still
/// marked experimental and only newer receivers (Prometheus 2.54 and later, Mimir 2.17
/// and later) accept it. A 2.0 sender falls back to 1.0 by itself when the receiver
/// turns out to speak only 1.0.
public enum RemoteWriteProtocol: String, Sendable, Hashable, CaseIterable {
    case v1 = "1.0"
    case v2 = "2.0"

    /// The `Content-Type` of a request body.
    public var contentType: String {
        switch self {
        case .v1: "application/x-protobuf"
        case .v2: "application/x-protobuf;proto=io.prometheus.write.v2.Request"
        }
    }

    /// The value of `X-Prometheus-Remote-Write-Version`.
    public var versionHeader: String {
        switch self {
        case .v1: "0.1.0"
        case .v2: "2.0.0"
        }
    }

    /// The byte that marks a queued batch's encoding on disk.
    var recordTag: UInt8 {
        switch self {
        case .v1: 1
        case .v2: 2
        }
    }

    init?(recordTag: UInt8) {
        switch recordTag {
        case 1: self = .v1
        case 2: self = .v2
        default: return nil
        }
    }
}
