import CLinux

/// The agent's hold on malloc's memory. A cycle at 10,000 services builds and frees
/// hundreds of megabytes (the parsed textfiles, the families, the encoded batches) on
/// whichever threads run it; glibc gives busy threads arenas of their own and keeps what
/// is freed in them, so the resident size between cycles grew to several cycles' worth.
public enum ProcessHeap {
    /// Two malloc arenas for the whole process (the main one and one more); call it first
    /// thing, before threads allocate (each thread's first allocation may open an arena).
    public static func limitArenas() {
        _ = CLinux_limit_malloc_arenas(2)
    }

    /// Gives the free pages of every arena back to the kernel, after a cycle freed its
    /// working memory.
    public static func releaseFreePages() {
        _ = CLinux_malloc_trim()
    }
}
