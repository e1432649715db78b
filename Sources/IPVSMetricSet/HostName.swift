#if canImport(Glibc)
    import Glibc
#endif

/// The machine's host name as gethostname(2) gives it, with no DNS lookup: Telegraf's
/// `host` tag (Go's os.Hostname) and the Pushgateway's default `instance` label.
public enum HostName {
    /// The current host name; empty when gethostname fails.
    public static func current() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
