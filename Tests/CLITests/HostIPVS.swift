import Foundation

/// Whether this machine's kernel has IPVS (ip_vs loaded; reading it may load it). The CLI
/// tests expect the host namespace to fail to read when it has none, and to be read when
/// it has, so they hold on either kind of machine.
enum HostIPVS {
    static var available: Bool { FileManager.default.fileExists(atPath: "/proc/net/ip_vs") }

    /// The exit status of `once` reading only the host namespace.
    static var onceStatus: Int32 { available ? 0 : 69 }
}
