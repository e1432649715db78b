import Dispatch
import Logging
import Namespaces
import Privileges
import TimeUnits

/// Reads IPVS from every configured network namespace.
///
/// Netlink calls block, so collections run on a serial dispatch queue of their own,
/// never on Swift's cooperative pool; one collection runs at a time. A namespace that
/// fails is reported as such and never stops the others.
///
/// Privileges: ``prepare()`` enters every other namespace once, on a thread that stays
/// there (``NetworkNamespace``), and opens its socket; ``restrictCapabilities(alsoKeeping:)`` then drops
/// every capability except CAP_NET_ADMIN, which each IPVS request and each firewall read
/// needs. A namespace that could not be entered at start (Docker not started yet) keeps
/// CAP_SYS_ADMIN in the process until a collection has entered it, and only then is
/// CAP_SYS_ADMIN dropped (logged). A namespace file that is re-created later (a Docker
/// restart) cannot be entered again once CAP_SYS_ADMIN is gone: the collection reports
/// it failed (`ipvs_up 0`) with a message that says to restart ipvs-push.
///
/// Namespace patterns (`--namespace-glob`) are matched again at every collection: a
/// namespace is entered when its file first matches and let go when the file is gone, so
/// CAP_SYS_ADMIN is kept for as long as ipvs-push runs. A namespace that two paths reach
/// (the same nsfs inode), or that is also given by path, is read once.
public final class IPVSCollector: @unchecked Sendable {
    /// The namespaces, in the order given; the empty string is the agent's own.
    public let namespaces: [String]
    /// The namespace patterns, matched at every collection.
    public let namespaceGlobs: [String]
    private var readers: [NamespaceReader]
    /// The readers of the namespaces the patterns matched, by path.
    private var globReaders: [String: NamespaceReader] = [:]
    private let naming: (any ServiceNaming)?
    private let queue = DispatchQueue(label: "ipvs-push.collector")
    private let logger: Logger
    /// The last error of each namespace, so a lasting failure is logged once, not per collection.
    private var lastErrors: [String: CollectorError] = [:]
    /// The namespace each reader's socket lives in, to notice a namespace file re-created.
    private var readerNamespaces: [String: NamespaceIdentity] = [:]
    /// Whether ``restrictCapabilities(alsoKeeping:)`` ran and kept CAP_SYS_ADMIN for namespaces not yet entered.
    private var keepingNamespaceEntry = false
    /// Whether the capabilities it needs were made effective (once, before the first use).
    private var checkedEffective = false
    /// What ``restrictCapabilities(alsoKeeping:)`` keeps for good.
    private var permanentlyKept: CapabilitySet = [.netAdmin]
    /// Whether each namespace's connection table is counted (`--connection-states`).
    public let connectionStates: Bool

    public init(
        namespaces: [String], namespaceGlobs: [String] = [], naming: (any ServiceNaming)? = nil,
        connectionStates: Bool = false, logger: Logger
    ) {
        self.namespaces = namespaces
        self.namespaceGlobs = namespaceGlobs
        self.connectionStates = connectionStates
        self.readers = namespaces.map { NamespaceReader(namespace: $0, connectionStates: connectionStates) }
        self.naming = naming
        self.logger = logger
        if !namespaceGlobs.isEmpty { permanentlyKept = [.netAdmin, .sysAdmin] }
    }

    /// Opens every namespace's socket now (entering each other namespace on its own
    /// thread); failures are logged and retried at the first collection.
    public func prepare() {
        queue.sync {
            makeCapabilitiesEffective()
            for reader in readers {
                defer { noteEntered(reader.namespace) }
                do {
                    try reader.open()
                } catch {
                    logger.warning(
                        "cannot open IPVS socket yet",
                        metadata: ["namespace": "\(reader.namespace)", "error": "\(error)"])
                }
            }
        }
    }

    /// Drops every capability the agent no longer needs, in every thread: all but
    /// CAP_NET_ADMIN, and CAP_SYS_ADMIN too unless a namespace could not be entered yet
    /// (then it goes once the last one is). Call it once, after ``prepare()`` and before
    /// serving or pushing. A process without capabilities to drop is left as it is (logged
    /// at debug level). Throws when the change failed; the error says what to do.
    ///
    /// - Parameter extra: more to keep for good, e.g. ``Capability/netBindService`` when the
    ///   HTTP endpoint binds a port below 1024 after this call.
    @discardableResult
    public func restrictCapabilities(alsoKeeping extra: CapabilitySet = []) throws(CapabilityError)
        -> CapabilityRestriction
    {
        let outcome = queue.sync { () -> Result<CapabilityRestriction, CapabilityError> in
            let pending = pendingNamespaces()
            var keep = CapabilitySet([.netAdmin]).union(extra)
            if !namespaceGlobs.isEmpty { keep = keep.union([.sysAdmin]) }
            permanentlyKept = keep
            // CAP_SETPCAP stays with CAP_SYS_ADMIN, so that the later drop can still shrink the
            // bounding set.
            if !pending.isEmpty { keep = keep.union([.sysAdmin, .setPCap]) }
            let result = Result { () throws(CapabilityError) in
                try ProcessCapabilities.restrict(toKeep: keep, forChildren: [.netAdmin])
            }
            if case .success(let restriction) = result {
                log(restriction, kept: keep)
                if case .restricted = restriction, !namespaceGlobs.isEmpty {
                    logger.info(
                        "keeping CAP_SYS_ADMIN for as long as ipvs-push runs: --namespace-glob enters network namespaces as they appear",
                        metadata: ["patterns": "\(namespaceGlobs)"])
                }
                if case .restricted = restriction, !pending.isEmpty {
                    keepingNamespaceEntry = true
                    logger.info(
                        "keeping CAP_SYS_ADMIN until every network namespace has been entered",
                        metadata: ["namespaces": "\(pending)"])
                }
            }
            return result
        }
        return try outcome.get()
    }

    /// Reads every namespace once.
    public func collect() async -> IPVSCollection {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.collectNow()) }
        }
    }

    /// Reads every namespace once, blocking the caller.
    public func collectBlocking() -> IPVSCollection {
        queue.sync { collectNow() }
    }

    private func collectNow() -> IPVSCollection {
        makeCapabilitiesEffective()
        var collections = readers.indices.map { index in
            timedRead(readers[index].namespace) { () throws(CollectorError) in
                try checkNamespaceFile(of: index)
                return try readers[index].read()
            }
        }
        for collection in collections { note(collection.result, of: collection.namespace) }
        dropNamespaceEntryIfDone()
        var discovery: NamespaceDiscovery?
        if !namespaceGlobs.isEmpty {
            var found = NamespaceDiscovery()
            collections += collectMatchedNamespaces(into: &found)
            discovery = found
        }
        let namesUp = naming?.applyNames(to: &collections) ?? [:]
        return IPVSCollection(namespaces: collections, discovery: discovery, namesUp: namesUp)
    }

    private func timedRead(
        _ namespace: String, _ read: () throws(CollectorError) -> NamespaceSnapshot
    ) -> NamespaceCollection {
        let start = ContinuousClock.now
        let result = Result(catching: read)
        noteEntered(namespace)
        return NamespaceCollection(
            namespace: namespace, result: result, durationSeconds: (ContinuousClock.now - start).seconds)
    }

    /// Logs a namespace's failure once per change, and its recovery.
    private func note(_ result: Result<NamespaceSnapshot, CollectorError>, of namespace: String) {
        switch result {
        case .success(let snapshot):
            if lastErrors.removeValue(forKey: namespace) != nil {
                logger.info("namespace readable again", metadata: ["namespace": "\(namespace)"])
            }
            logger.debug(
                "collected", metadata: ["namespace": "\(namespace)", "services": "\(snapshot.services.count)"])
        case .failure(let error):
            if lastErrors[namespace] != error {
                logger.warning("collection failed", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
            } else {
                logger.debug("collection still failing", metadata: ["namespace": "\(namespace)"])
            }
            lastErrors[namespace] = error
        }
    }

    /// Reads every namespace the patterns match now, once each, and lets go of those whose
    /// file is gone. Returns the collections of those with virtual services.
    private func collectMatchedNamespaces(into found: inout NamespaceDiscovery) -> [NamespaceCollection] {
        // The namespaces already read by path, so that a pattern does not read them again.
        var seen = Set(
            namespaces.compactMap { namespace in
                try? NamespaceIdentity(path: namespace.isEmpty ? "/proc/self/ns/net" : namespace)
            })
        var matched = Set<String>()
        var collections: [NamespaceCollection] = []
        for path in NamespaceGlob.expand(namespaceGlobs) {
            // A file gone since the match was a namespace that just went (a container stopped).
            guard let identity = try? NamespaceIdentity(path: path), seen.insert(identity).inserted else { continue }
            matched.insert(path)
            if globReaders[path] != nil, wasRecreated(path, now: identity) { globReaders[path] = nil }
            let reader =
                globReaders[path]
                ?? {
                    logger.info("network namespace found", metadata: ["namespace": "\(path)"])
                    let reader = NamespaceReader(
                        namespace: path, readsSettingsWithoutServices: false, connectionStates: connectionStates)
                    globReaders[path] = reader
                    return reader
                }()
            let collection = timedRead(path) { () throws(CollectorError) in try reader.read() }
            if case .failure(let error) = collection.result, error.kind == .namespaceNotFound {
                matched.remove(path)
                continue
            }
            note(collection.result, of: path)
            switch collection.result {
            case .success(let snapshot) where snapshot.services.isEmpty: found.empty += 1
            case .success:
                found.withServices += 1
                collections.append(collection)
            case .failure: found.failed += 1
            }
        }
        for path in globReaders.keys where !matched.contains(path) {
            logger.info("network namespace gone", metadata: ["namespace": "\(path)"])
            globReaders[path] = nil
            readerNamespaces[path] = nil
            lastErrors[path] = nil
            NetworkNamespace.release(path)
        }
        return collections
    }

    /// Fails when another namespace's file is gone, and replaces the reader when the file now
    /// refers to a different namespace than the one its socket lives in.
    private func checkNamespaceFile(of index: Int) throws(CollectorError) {
        let namespace = readers[index].namespace
        guard !namespace.isEmpty else { return }
        let current: NamespaceIdentity
        do { current = try NamespaceIdentity(path: namespace) } catch { throw CollectorError(error) }
        if wasRecreated(namespace, now: current) {
            readers[index] = NamespaceReader(namespace: namespace, connectionStates: connectionStates)
        }
    }

    /// Whether the file `path` now refers to another namespace than the one its reader's
    /// socket lives in (logged); the caller then replaces the reader.
    private func wasRecreated(_ path: String, now current: NamespaceIdentity) -> Bool {
        guard let known = readerNamespaces[path], known != current else { return false }
        logger.info(
            "network namespace re-created; reading the new one",
            metadata: ["namespace": "\(path)", "old": "\(known)", "new": "\(current)"])
        readerNamespaces[path] = nil
        return true
    }

    /// Records the namespace the reader works in, once known; kept until the reader is
    /// replaced (a thread replaced during a read must not hide the reader's older socket).
    private func noteEntered(_ namespace: String) {
        guard !namespace.isEmpty, readerNamespaces[namespace] == nil else { return }
        readerNamespaces[namespace] = NetworkNamespace.enteredIdentity(of: namespace)
    }

    /// The configured other namespaces that have not been entered (patterns aside: they keep
    /// CAP_SYS_ADMIN for good).
    private func pendingNamespaces() -> [String] {
        namespaces.filter { !$0.isEmpty && NetworkNamespace.enteredIdentity(of: $0) == nil }
    }

    /// A binary with file capabilities `+p` (the container image's) starts with CAP_NET_ADMIN
    /// and CAP_SYS_ADMIN permitted but not effective: make them effective before the first use.
    private func makeCapabilitiesEffective() {
        guard !checkedEffective else { return }
        checkedEffective = true
        do {
            if try ProcessCapabilities.raiseEffective([.netAdmin, .sysAdmin]) {
                let effective = (try? ProcessCapabilities.current().effective) ?? .empty
                logger.info("made the permitted capabilities effective", metadata: ["effective": "\(effective)"])
            }
        } catch {
            logger.error("\(error)")
        }
    }

    private func dropNamespaceEntryIfDone() {
        guard keepingNamespaceEntry, pendingNamespaces().isEmpty else { return }
        keepingNamespaceEntry = false
        do {
            let restriction = try ProcessCapabilities.restrict(toKeep: permanentlyKept, forChildren: [.netAdmin])
            logger.info("every network namespace entered: dropping CAP_SYS_ADMIN")
            log(restriction, kept: permanentlyKept)
        } catch {
            logger.error("\(error)")
        }
    }

    private func log(_ restriction: CapabilityRestriction, kept: CapabilitySet) {
        switch restriction {
        case .unchanged(let state):
            logger.debug(
                "no capabilities to drop (already unprivileged)",
                metadata: ["capabilities": "\(state)"])
        case .restricted(let before, let after, let threads):
            logger.info(
                "dropped capabilities",
                metadata: ["kept": "\(after.permitted)", "wanted": "\(kept)", "threads": "\(threads)"])
            logger.debug("capabilities", metadata: ["before": "\(before)", "after": "\(after)"])
        }
    }
}
