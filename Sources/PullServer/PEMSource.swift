/// Where PEM-encoded TLS material comes from.
///
/// A file is read when the server starts and again whenever it changes (its modification
/// time, size or inode differ), so renewed certificates are picked up by new connections
/// without a restart, as exporter-toolkit does. Inline text is fixed.
public enum PEMSource: Sendable, Hashable {
    /// A file path, absolute or relative to the working directory (the web configuration
    /// file reader makes paths relative to its own directory first).
    case file(String)
    /// PEM text given directly in the configuration.
    case inline(String)
}
