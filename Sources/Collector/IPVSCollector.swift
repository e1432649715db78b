import Dispatch
import Logging

/// Reads IPVS from every configured network namespace.
///
/// Netlink calls block, so collections run on a serial dispatch queue of their own,
/// never on Swift's cooperative pool; one collection runs at a time. A namespace that
/// fails is reported as such and never stops the others.
public final class IPVSCollector: @unchecked Sendable {
    /// The namespaces, in the order given; the empty string is the agent's own.
    public let namespaces: [String]
    private let readers: [NamespaceReader]
    private let queue = DispatchQueue(label: "ipvs-push.collector")
    private let logger: Logger
    /// The last error of each namespace, so a lasting failure is logged once, not per collection.
    private var lastErrors: [String: CollectorError] = [:]

    public init(namespaces: [String], logger: Logger) {
        self.namespaces = namespaces
        self.readers = namespaces.map(NamespaceReader.init(namespace:))
        self.logger = logger
    }

    /// Opens every namespace's socket now; failures are logged and retried at the
    /// first collection.
    public func prepare() {
        queue.sync {
            for reader in readers {
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

    /// Reads every namespace once.
    public func collect() async -> [NamespaceCollection] {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.collectNow()) }
        }
    }

    /// Reads every namespace once, blocking the caller.
    public func collectBlocking() -> [NamespaceCollection] {
        queue.sync { collectNow() }
    }

    private func collectNow() -> [NamespaceCollection] {
        readers.map { reader in
            let start = ContinuousClock.now
            let result = Result { () throws(CollectorError) in try reader.read() }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let namespace = reader.namespace
            switch result {
            case .success(let snapshot):
                if lastErrors.removeValue(forKey: namespace) != nil {
                    logger.info("namespace readable again", metadata: ["namespace": "\(namespace)"])
                }
                logger.debug("collected", metadata: ["namespace": "\(namespace)", "services": "\(snapshot.services.count)"])
            case .failure(let error):
                if lastErrors[namespace] != error {
                    logger.warning("collection failed", metadata: ["namespace": "\(namespace)", "error": "\(error)"])
                } else {
                    logger.debug("collection still failing", metadata: ["namespace": "\(namespace)"])
                }
                lastErrors[namespace] = error
            }
            return NamespaceCollection(namespace: reader.namespace, result: result, durationSeconds: seconds)
        }
    }
}
