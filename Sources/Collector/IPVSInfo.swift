/// What `IPVS_CMD_GET_INFO` reports: the IPVS version and the connection table size.
public struct IPVSInfo: Sendable, Hashable {
    /// `IP_VS_VERSION_CODE`, e.g. 0x010201.
    public var versionCode: UInt32
    public var connectionTableSize: UInt32

    public init(versionCode: UInt32, connectionTableSize: UInt32) {
        self.versionCode = versionCode
        self.connectionTableSize = connectionTableSize
    }

    /// `1.2.1`, as ipvsadm prints it.
    public var version: String {
        "\(versionCode >> 16).\((versionCode >> 8) & 0xff).\(versionCode & 0xff)"
    }
}
