import NIOConcurrencyHelpers
import Privileges

#if canImport(Glibc)
    import Glibc
#endif

/// Runs work inside another network namespace, given by its file path
/// (`/var/run/docker/netns/ingress_sbox`, `/run/netns/NAME`, `/proc/PID/ns/net`).
///
/// Each path gets one ``NamespaceThread``, which enters the namespace the first time the
/// path is used (this needs CAP_SYS_ADMIN) and stays there; later work runs on it without
/// entering again, so it keeps working after the agent dropped CAP_SYS_ADMIN. Sockets
/// created there stay bound to the namespace, and processes spawned there inherit it.
///
/// When the file comes to refer to another namespace (Docker re-creates `ingress_sbox` when
/// its daemon restarts), the old thread is retired and the new namespace entered, which
/// again needs CAP_SYS_ADMIN; without it the work fails with ``NamespaceError/Kind/entryDenied``.
/// When the file is gone, the work fails with ``NamespaceError/Kind/notFound``
/// rather than running in a namespace that no longer has a name.
public enum NetworkNamespace {
    private static let threads = NIOLockedValueBox<[String: NamespaceThread]>([:])

    /// Runs `body` inside the namespace `path` refers to now, entering it if needed, and
    /// waits for it. Work that can fail returns a `Result`.
    public static func perform<T>(in path: String, _ body: () -> T) throws(NamespaceError) -> T {
        try thread(for: path).run(body)
    }

    /// The thread living in the namespace `path` refers to now, entered if needed.
    public static func thread(for path: String) throws(NamespaceError) -> NamespaceThread {
        let current = try NamespaceIdentity(path: path)
        let outcome = threads.withLockedValue { (threads) -> Result<NamespaceThread, NamespaceError> in
            var replaced = false
            if let existing = threads[path] {
                if existing.identity == current { return .success(existing) }
                existing.retire()
                threads[path] = nil
                replaced = true
            }
            switch Result(catching: { () throws(NamespaceError) in try NamespaceThread.enter(path) }) {
            case .success(let thread):
                threads[path] = thread
                return .success(thread)
            case .failure(var error):
                if replaced && error.kind == .entryDenied {
                    error.detail +=
                        "; the file now refers to another namespace than the one entered before"
                        + " (re-created, e.g. by a Docker restart), and ipvs-push drops CAP_SYS_ADMIN once every"
                        + " namespace is open: restart ipvs-push"
                }
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Ends the thread for `path`, once its work is done, so that the namespace can be
    /// freed (a thread inside a namespace keeps it alive after its file is gone).
    public static func release(_ path: String) {
        threads.withLockedValue { $0.removeValue(forKey: path) }?.retire()
    }

    /// The namespace the thread for `path` lives in; nil when it has not been entered.
    public static func enteredIdentity(of path: String) -> NamespaceIdentity? {
        threads.withLockedValue { $0[path]?.identity }
    }
}
