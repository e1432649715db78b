/// Why the agent's capabilities could not be restricted. The description says what failed
/// and what to do.
public struct CapabilityError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// /proc/self/task or a thread's status file could not be read.
        case procUnreadable = "proc_unreadable"
        /// A system call of the change itself failed (capset, prctl, sigaction, rt_tgsigqueueinfo).
        case systemCall = "system_call"
        /// Some threads did not apply the change in time.
        case threadsDidNotApply = "threads_did_not_apply"
    }

    public var kind: Kind
    /// What failed, with errno's text or the threads concerned.
    public var detail: String

    public init(_ kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String {
        switch kind {
        case .procUnreadable:
            return "cannot drop capabilities: \(detail); ipvs-push reads every thread's state from /proc/self/task,"
                + " mount /proc (procfs) in its mount namespace"
        case .systemCall:
            return "cannot drop capabilities: \(detail); when a seccomp filter is in place, allow capget, capset,"
                + " prctl, rt_sigaction and rt_tgsigqueueinfo (systemd's SystemCallFilter=@system-service does)"
        case .threadsDidNotApply:
            return "cannot drop capabilities: \(detail); this is a bug in ipvs-push, please report it"
        }
    }
}
