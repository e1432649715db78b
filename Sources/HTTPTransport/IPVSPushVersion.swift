/// The version of ipvs-push, in one place so the `User-Agent` of every request and
/// the command line's `--version` agree.
public enum IPVSPushVersion {
    /// The release version (semantic versioning).
    public static let current = "0.1.0"

    /// The `User-Agent` every request carries unless the configuration overrides it:
    /// receivers' logs then show which agent and version sent a push.
    public static let userAgent = "ipvs-push/\(current)"
}
