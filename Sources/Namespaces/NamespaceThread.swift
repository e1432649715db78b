import CLinux
import Dispatch
import NIOConcurrencyHelpers
import Privileges

#if canImport(Glibc)
    import Glibc
#endif

/// A thread that enters one network namespace when it starts and stays there.
///
/// A network namespace belongs to a thread. Entering one with setns(2) needs
/// CAP_SYS_ADMIN, so each namespace is entered once, at start-up, by a thread of its own
/// that then lives as long as the agent: what runs on it (creating the IPVS socket,
/// reading the legacy iptables tables, spawning iptables-nft-save, whose child process
/// inherits the thread's namespace) needs no further setns, and the agent can drop
/// CAP_SYS_ADMIN. The thread blocks asynchronous signals except SIGSYS (see
/// ``ProcessCapabilities``).
public final class NamespaceThread: @unchecked Sendable {
    /// The path the namespace was entered through.
    public let path: String
    /// The namespace the thread lives in.
    public let identity: NamespaceIdentity
    private let mailbox: Mailbox

    private init(path: String, identity: NamespaceIdentity, mailbox: Mailbox) {
        self.path = path
        self.identity = identity
        self.mailbox = mailbox
    }

    /// Starts a thread that enters `path`'s namespace; throws when it cannot be entered.
    static func enter(_ path: String) throws(NamespaceError) -> NamespaceThread {
        let start = Start(path: path)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(start).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { raw in
                let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
                start.runThread()
                return nil
            }, context)
        guard created == 0 else {
            Unmanaged<Start>.fromOpaque(context).release()
            throw NamespaceError(.failure, namespace: path, detail: "pthread_create: \(errnoText(created))")
        }
        pthread_detach(thread)
        start.entered.wait()
        let identity = try start.outcome!.get()
        return NamespaceThread(path: path, identity: identity, mailbox: start.mailbox)
    }

    /// Runs `body` on the thread, inside the namespace, and waits for it; throws when the
    /// thread has been retired. Work that can fail returns a `Result`.
    public func run<T>(_ body: () -> T) throws(NamespaceError) -> T {
        var outcome: T?
        withoutActuallyEscaping(body) { body in
            let job = Job { outcome = body() }
            if mailbox.post(job) { job.done.wait() } else { job.discard() }
        }
        guard let outcome else {
            throw NamespaceError(.failure, namespace: path, detail: "the namespace's thread has ended")
        }
        return outcome
    }

    /// Ends the thread once the work posted so far is done; the namespace is then released.
    func retire() {
        mailbox.close()
    }

    /// One piece of work for the thread. The thread lets go of the closure before it signals
    /// `done`: the closure is a non-escaping one made escapable for the wait (``run(_:)``).
    private final class Job: @unchecked Sendable {
        private var work: (() -> Void)?
        let done = DispatchSemaphore(value: 0)

        init(_ work: @escaping () -> Void) { self.work = work }

        func perform() {
            let work = self.work
            self.work = nil
            work?()
        }

        /// Lets go of the work without running it (the thread has been retired).
        func discard() {
            work = nil
        }
    }

    /// The thread's queue of work: a list under a lock, and a semaphore counting posts.
    private final class Mailbox: @unchecked Sendable {
        private let jobs = NIOLockedValueBox<(pending: [Job], closed: Bool)>(([], false))
        private let available = DispatchSemaphore(value: 0)

        /// Queues `job`; false when the thread has been retired.
        func post(_ job: Job) -> Bool {
            let accepted = jobs.withLockedValue { state in
                if state.closed { return false }
                state.pending.append(job)
                return true
            }
            if accepted { available.signal() }
            return accepted
        }

        func close() {
            jobs.withLockedValue { $0.closed = true }
            available.signal()
        }

        /// Runs jobs until closed and drained.
        func serve() {
            while true {
                available.wait()
                let next: Job? = jobs.withLockedValue { state in
                    state.pending.isEmpty ? nil : state.pending.removeFirst()
                }
                guard let next else {
                    if jobs.withLockedValue({ $0.closed && $0.pending.isEmpty }) { return }
                    continue
                }
                next.perform()
                next.done.signal()
            }
        }
    }

    /// What the new thread needs, and how it reports whether it got in.
    private final class Start: @unchecked Sendable {
        let path: String
        let mailbox = Mailbox()
        let entered = DispatchSemaphore(value: 0)
        var outcome: Result<NamespaceIdentity, NamespaceError>?

        init(path: String) { self.path = path }

        func runThread() {
            _ = CLinux_block_async_signals()
            _ = CLinux_set_thread_name("ipvs-push netns")
            outcome = Result { () throws(NamespaceError) in try enter() }
            let succeeded = (try? outcome!.get()) != nil
            entered.signal()
            if succeeded { mailbox.serve() }
        }

        private func enter() throws(NamespaceError) -> NamespaceIdentity {
            let target = open(path, O_RDONLY | O_CLOEXEC)
            guard target >= 0 else {
                let code = errno
                switch code {
                case ENOENT, ENOTDIR:
                    throw NamespaceError(.notFound, namespace: path, detail: errnoText(code))
                case EACCES, EPERM:
                    throw NamespaceError(.entryDenied, namespace: path, detail: "open: \(errnoText(code))")
                default:
                    throw NamespaceError(.failure, namespace: path, detail: "open: \(errnoText(code))")
                }
            }
            defer { close(target) }
            guard let identity = NamespaceIdentity(descriptor: target) else {
                throw NamespaceError(.failure, namespace: path, detail: "fstat: \(errnoText())")
            }
            guard CLinux_setns_net(target) == 0 else {
                let code = errno
                switch code {
                case EINVAL:
                    throw NamespaceError(.notANamespace, namespace: path, detail: "setns: \(errnoText(code))")
                case EPERM:
                    throw NamespaceError(.entryDenied, namespace: path, detail: "setns: \(errnoText(code))")
                default:
                    throw NamespaceError(.failure, namespace: path, detail: "setns: \(errnoText(code))")
                }
            }
            return identity
        }
    }
}
