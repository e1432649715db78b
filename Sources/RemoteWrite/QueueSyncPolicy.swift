/// When the on-disk queue calls `fsync`.
///
/// Killing the process (even with SIGKILL) loses nothing under any policy: data
/// written is in the kernel's page cache. The policy only matters when the machine
/// itself goes down (power loss, kernel panic).
public enum QueueSyncPolicy: String, Sendable, Hashable, CaseIterable {
    /// Every append and every acknowledgement is synced before it counts: nothing is
    /// lost or sent twice after a power loss, at the price of one `fsync` per
    /// acknowledged request.
    case always
    /// Appended batches are synced before `enqueue` returns (nothing enqueued is lost);
    /// the acknowledgement cursor is synced at most once a second, so a power loss may
    /// resend up to a second of batches (receivers take a repeated sample with the same
    /// timestamp and value as a no-op).
    case batched
    /// No `fsync` at all; the kernel writes back when it likes.
    case never
}
