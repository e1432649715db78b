/// When the on-disk queue calls `fsync`.
///
/// Killing the process (even with SIGKILL) loses nothing written under any policy: data
/// written is in the kernel's page cache. The policy only matters when the machine
/// itself goes down (power loss, kernel panic). What is not written yet, batches held in
/// memory while the receiver keeps up (``RemoteWriteConfiguration/queueWriteBehind``), a SIGKILL
/// loses under every policy; the policy applies to them once they are written.
public enum QueueSyncPolicy: String, Sendable, Hashable, CaseIterable {
    /// Every append and every acknowledgement is synced before it counts: nothing is
    /// lost or sent twice after a power loss, at the price of one `fsync` per
    /// acknowledged request (none for a batch acknowledged while held in memory).
    case always
    /// Written batches are synced before the write counts (before `enqueue` returns while
    /// the queue writes through, so nothing enqueued is lost);
    /// the acknowledgement cursor is synced at most once a second, so a power loss may
    /// resend up to a second of batches (receivers take a repeated sample with the same
    /// timestamp and value as a no-op).
    case batched
    /// No `fsync` at all; the kernel writes back when it likes.
    case never
}
