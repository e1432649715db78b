import CNamespace

#if canImport(Glibc)
import Glibc
#endif

/// Runs work inside another network namespace, given by its file path
/// (`/var/run/docker/netns/ingress_sbox`, `/run/netns/NAME`, `/proc/PID/ns/net`).
///
/// A network namespace belongs to a thread, so the work runs on a thread created for
/// it: the thread enters the namespace, runs the work, and goes back to its own
/// namespace before it ends. Sockets created there stay bound to the namespace, and
/// processes spawned there inherit it.
enum NetworkNamespace {
    static func perform<T>(in path: String, _ body: () throws(CollectorError) -> T) throws(CollectorError) -> T {
        var outcome: Result<T, CollectorError>?
        withoutActuallyEscaping(body) { body in
            DedicatedThread.run {
                outcome = Result { () throws(CollectorError) -> T in try enterAndRun(path, body) }
            }
        }
        return try outcome!.get()
    }

    private static func enterAndRun<T>(_ path: String, _ body: () throws(CollectorError) -> T) throws(CollectorError)
        -> T
    {
        let own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard own >= 0 else {
            throw CollectorError(.failure, namespace: path, detail: "cannot open own namespace: \(errnoText())")
        }
        defer { close(own) }
        let target = open(path, O_RDONLY | O_CLOEXEC)
        guard target >= 0 else {
            let code = errno
            switch code {
            case ENOENT, ENOTDIR:
                throw CollectorError(.namespaceNotFound, namespace: path, detail: errnoText(code))
            case EACCES, EPERM:
                throw CollectorError(.namespaceEntryDenied, namespace: path, detail: "open: \(errnoText(code))")
            default:
                throw CollectorError(.failure, namespace: path, detail: "open: \(errnoText(code))")
            }
        }
        defer { close(target) }
        guard CNamespace_setns_net(target) == 0 else {
            let code = errno
            switch code {
            case EINVAL: throw CollectorError(.notANamespace, namespace: path, detail: "setns: \(errnoText(code))")
            case EPERM: throw CollectorError(.namespaceEntryDenied, namespace: path, detail: "setns: \(errnoText(code))")
            default: throw CollectorError(.failure, namespace: path, detail: "setns: \(errnoText(code))")
            }
        }
        defer {
            // Going back cannot fail with a descriptor we opened ourselves; the thread
            // ends right after in any case, so the process is never left inside.
            _ = CNamespace_setns_net(own)
        }
        return try body()
    }
}

func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
