import CCapabilities
import CLinux
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Drops the capabilities the agent no longer needs, in every thread of the process.
///
/// Capability sets belong to threads, not processes: capset(2) and prctl(2) change the
/// calling thread only, and by the time the agent drops privileges it runs many threads
/// (Swift concurrency's pool, Dispatch, NIO, the namespace threads). So every thread applies
/// the same prepared change itself, in a SIGSYS handler (SIGSYS is the one asynchronous
/// signal libdispatch leaves unblocked in its worker threads): the caller changes its own
/// thread, sends the signal to each other thread in /proc/self/task, and reads their status
/// files until every thread shows the new sets. Threads started meanwhile inherit the sets of
/// the thread that starts them, so the round repeats until nothing lags; threads started
/// afterwards inherit the reduced sets.
///
/// The change, per thread: the effective, permitted and inheritable sets become the kept
/// capabilities (those the thread had), the ambient set exactly the kept ones (so a non-root
/// agent's children, such as iptables-nft-save, get them through execve), the bounding set
/// the kept ones when the thread has CAP_SETPCAP (root: an executed root child gets nothing
/// more; a non-root user cannot change it and needs not), and no_new_privs is set.
public enum ProcessCapabilities {
    private static let serial = NIOLockedValueBox(())

    /// The calling thread's state.
    public static func current() throws(CapabilityError) -> ThreadCapabilities {
        try thread(CLinux_gettid())
    }

    /// Every thread's state, in thread-id order (threads that end while being read are left out).
    public static func threads() throws(CapabilityError) -> [ThreadCapabilities] {
        guard let ids = ProcFile.numericEntries("/proc/self/task") else {
            throw CapabilityError(.procUnreadable, detail: "cannot list /proc/self/task: \(errnoText())")
        }
        var states: [ThreadCapabilities] = []
        for id in ids {
            if let state = try? thread(id) { states.append(state) }
        }
        guard !states.isEmpty else {
            throw CapabilityError(.procUnreadable, detail: "no readable /proc/self/task/*/status")
        }
        return states
    }

    /// Keeps only `keep` in every thread (see the type's description) and returns what was
    /// done. A process that holds nothing beyond `keep` and whose ambient set already holds
    /// what its children should get (already unprivileged, or already restricted) is left
    /// alone; one that holds exactly `keep` without the ambient set (a container's binary
    /// with file capabilities) still gets the ambient set and no_new_privs.
    /// The change cannot be undone; a later call can only take more away (keep CAP_SETPCAP
    /// for a later call to shrink the bounding set further). Calls are serialized.
    ///
    /// - Parameters:
    ///   - keep: what stays in the effective, permitted, inheritable and bounding sets.
    ///   - children: what goes into the ambient set, for the programs the agent runs; `keep`
    ///     when nil. Only kept capabilities can be ambient.
    ///   - noNewPrivileges: also set no_new_privs.
    public static func restrict(
        toKeep keep: CapabilitySet, forChildren children: CapabilitySet? = nil, noNewPrivileges: Bool = true
    ) throws(CapabilityError) -> CapabilityRestriction {
        let outcome: Result<CapabilityRestriction, CapabilityError> = serial.withLockedValue { _ in
            Result { () throws(CapabilityError) in
                try restrictSerially(keep: keep, ambient: children ?? keep, noNewPrivileges: noNewPrivileges)
            }
        }
        return try outcome.get()
    }

    private static func restrictSerially(keep: CapabilitySet, ambient: CapabilitySet, noNewPrivileges: Bool)
        throws(CapabilityError) -> CapabilityRestriction
    {
        let before = try current()
        let all = try threads()
        // What children should get and can: ambient capabilities must be permitted and kept.
        let reachable = { (thread: ThreadCapabilities) in ambient.intersection(keep).intersection(thread.permitted) }
        if all.allSatisfy({
            $0.holdsNothing(beyond: keep) && $0.ambient.isSubset(of: ambient)
                && reachable($0).isSubset(of: $0.ambient)
                && (reachable($0).isEmpty || !noNewPrivileges || $0.noNewPrivileges)
        }) && before.holdsNothing(beyond: keep) {
            return .unchanged(before)
        }
        // Never freed: a thread may, in principle, still take its signal after a timeout.
        let request = UnsafeMutablePointer<CCapabilities_Request>.allocate(capacity: 1)
        CCapabilities_request_init(request, keep.mask, ambient.mask, lastCapability(), 1, noNewPrivileges ? 1 : 0)
        let (after, total) = try applyEverywhere(request, caller: before)
        return .restricted(before: before, after: after, threads: total)
    }

    /// Makes `capabilities` effective in every thread that has them permitted but not
    /// effective, and changes nothing else; returns whether any thread needed it. A binary
    /// with file capabilities without the effective bit (`setcap cap_net_admin+p`) starts
    /// that way: unlike `+ep`, it then starts even when the container grants only some of them.
    @discardableResult
    public static func raiseEffective(_ capabilities: CapabilitySet) throws(CapabilityError) -> Bool {
        let outcome: Result<Bool, CapabilityError> = serial.withLockedValue { _ in
            Result { () throws(CapabilityError) in
                let all = try threads()
                guard all.contains(where: { !$0.permitted.intersection(capabilities).isSubset(of: $0.effective) })
                else { return false }
                let request = UnsafeMutablePointer<CCapabilities_Request>.allocate(capacity: 1)
                CCapabilities_request_init(request, capabilities.mask, 0, lastCapability(), 0, 0)
                request.pointee.raiseEffectiveOnly = 1
                _ = try applyEverywhere(request, caller: try current())
                return true
            }
        }
        return try outcome.get()
    }

    /// Applies `request` to the calling thread, then to every other thread through SIGSYS,
    /// until every thread shows the caller's new state; returns that state and the thread count.
    private static func applyEverywhere(
        _ request: UnsafeMutablePointer<CCapabilities_Request>, caller before: ThreadCapabilities
    ) throws(CapabilityError) -> (ThreadCapabilities, Int) {
        guard CCapabilities_install_handler() == 0 else {
            throw CapabilityError(.systemCall, detail: "sigaction(SIGSYS): \(errnoText())")
        }
        if CCapabilities_apply(request) != 0 {
            throw failure(of: request, thread: before)
        }
        let after = try current()
        let ownID = CLinux_gettid()
        var signalled: Set<Int32> = []
        let deadline = ContinuousClock.now + .seconds(10)
        var total = 1
        while true {
            guard let ids = ProcFile.numericEntries("/proc/self/task") else {
                throw CapabilityError(.procUnreadable, detail: "cannot list /proc/self/task: \(errnoText())")
            }
            var lagging: [ThreadCapabilities] = []
            for id in ids where id != ownID {
                // A thread whose status cannot be read has ended.
                guard let state = try? thread(id), !state.hasSameSets(as: after) else { continue }
                lagging.append(state)
                guard !signalled.contains(id) else { continue }
                if CCapabilities_signal_thread(id, request) != 0 {
                    let code = errno
                    if code == ESRCH { continue }
                    throw CapabilityError(
                        .systemCall, detail: "sending SIGSYS to thread \(id) (\(state.name)): \(errnoText(code))")
                }
                signalled.insert(id)
            }
            if CCapabilities_request_failed_step(request) != 0 {
                throw failure(of: request, thread: nil)
            }
            if lagging.isEmpty {
                total = ids.count
                break
            }
            if ContinuousClock.now > deadline {
                let names = lagging.map { state in
                    "\(state.threadID) (\(state.name)\(state.blocksSIGSYS ? ", blocks SIGSYS" : ""))"
                }
                throw CapabilityError(
                    .threadsDidNotApply,
                    detail: "threads \(names.joined(separator: ", ")) still hold \(lagging[0]) after 10 s")
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
            nanosleep(&pause, nil)
        }
        // Every signalled thread has run the handler (its sets changed), so no request is pending.
        _ = CCapabilities_restore_handler()
        return (after, total)
    }

    private static func thread(_ id: Int32) throws(CapabilityError) -> ThreadCapabilities {
        let path = "/proc/self/task/\(id)/status"
        guard let text = ProcFile.read(path) else {
            throw CapabilityError(.procUnreadable, detail: "cannot read \(path): \(errnoText())")
        }
        guard let state = ThreadCapabilities(status: text) else {
            throw CapabilityError(.procUnreadable, detail: "\(path) has no capability lines")
        }
        return state
    }

    /// The highest capability number the running kernel knows.
    private static func lastCapability() -> Int32 {
        let text = ProcFile.read("/proc/sys/kernel/cap_last_cap") ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int32($0) } ?? 40
    }

    private static func failure(of request: UnsafePointer<CCapabilities_Request>, thread: ThreadCapabilities?)
        -> CapabilityError
    {
        let step: String
        switch Int(CCapabilities_request_failed_step(request)) {
        case Int(CCapabilities_stepRead): step = "reading the thread's sets (capget, PR_CAPBSET_READ)"
        case Int(CCapabilities_stepStage): step = "lowering the permitted and effective sets (capset)"
        case Int(CCapabilities_stepBounding): step = "dropping from the bounding set (PR_CAPBSET_DROP)"
        case Int(CCapabilities_stepAmbient): step = "setting the ambient set (PR_CAP_AMBIENT)"
        case Int(CCapabilities_stepFinal): step = "dropping CAP_SETPCAP (capset)"
        case Int(CCapabilities_stepNoNewPrivileges): step = "setting no_new_privs (PR_SET_NO_NEW_PRIVS)"
        default: step = "an unknown step"
        }
        let place = thread.map { " in thread \($0.threadID) (\($0.name), \($0))" } ?? " in another thread"
        return CapabilityError(
            .systemCall, detail: "\(step) failed\(place): \(errnoText(CCapabilities_request_failed_errno(request)))")
    }
}
