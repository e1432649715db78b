/// What ``ProcessCapabilities/restrict(toKeep:noNewPrivileges:)`` did.
public enum CapabilityRestriction: Sendable, Hashable {
    /// The process held nothing beyond what is kept (it runs unprivileged): nothing changed.
    case unchanged(ThreadCapabilities)
    /// Every thread now has `after`'s sets; `before` is the calling thread's state before.
    case restricted(before: ThreadCapabilities, after: ThreadCapabilities, threads: Int)
}
