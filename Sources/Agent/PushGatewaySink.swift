import Exposition
import Logging
import NIOConcurrencyHelpers
import PushGateway

/// Pushes metric families to a Pushgateway, one group per network namespace.
///
/// The `namespace` label moves from the samples into the grouping key (the gateway
/// puts it back on every series), so the host's metrics and Docker's ingress each
/// replace only their own group and never overwrite each other. Samples without a
/// `namespace` label go to the group of the agent's own namespace (`namespace=""`).
///
/// A namespace that has no series any more (its file is gone, or a namespace matched by a
/// pattern has no virtual service left) has its group deleted at the next push: the gateway
/// would otherwise serve its last numbers forever.
public final class PushGatewaySink: Sendable {
    /// The outcome of pushing (or deleting) one group.
    public struct GroupOutcome: Sendable {
        public var group: GroupingKey
        public var result: Result<PushResult, PushGatewayError>

        public init(group: GroupingKey, result: Result<PushResult, PushGatewayError>) {
            self.group = group
            self.result = result
        }
    }

    public let client: PushGatewayClient
    /// The grouping key without the namespace: job, instance and `--grouping-label`s.
    public let baseGroup: GroupingKey
    public let method: PushMethod
    private let logger: Logger
    private let pushed = LockedSet<GroupingKey>()
    /// The namespace groups the last ``pushByNamespace(_:)`` holds on the gateway.
    private let namespaceGroups = NIOLockedValueBox<Set<GroupingKey>>([])

    public init(client: PushGatewayClient, baseGroup: GroupingKey, method: PushMethod, logger: Logger) {
        self.client = client
        self.baseGroup = baseGroup
        self.method = method
        self.logger = logger
    }

    /// Pushes `families` split by their `namespace` label, one request per namespace, and
    /// deletes the groups of namespaces the last call pushed that have no series now.
    public func pushByNamespace(_ families: [MetricFamily]) async -> [GroupOutcome] {
        var outcomes: [GroupOutcome] = []
        var current = Set<GroupingKey>()
        for (namespace, groupFamilies) in Self.splitByNamespace(families) {
            let group = GroupingKey(job: baseGroup.job, labels: baseGroup.labels + [Label("namespace", namespace)])
            current.insert(group)
            outcomes.append(await push(groupFamilies, to: group))
        }
        let gone = namespaceGroups.withLockedValue { $0.subtracting(current) }
        var kept = current
        for group in gone.sorted(by: { $0.path < $1.path }) {
            do {
                let deleted = try await client.delete(group)
                logger.info("namespace has no series any more: deleted its group", metadata: ["group": "\(group.path)"])
                outcomes.append(GroupOutcome(group: group, result: .success(deleted)))
            } catch {
                // Tried again at the next push.
                logger.warning(
                    "cannot delete the group of a namespace that went",
                    metadata: ["group": "\(group.path)", "error": "\(error)"])
                outcomes.append(GroupOutcome(group: group, result: .failure(error)))
                kept.insert(group)
            }
        }
        namespaceGroups.withLockedValue { $0 = kept }
        return outcomes
    }

    /// Pushes `families` as they are to the base group.
    public func push(_ families: [MetricFamily]) async -> GroupOutcome {
        await push(families, to: baseGroup)
    }

    private func push(_ families: [MetricFamily], to group: GroupingKey) async -> GroupOutcome {
        let result: Result<PushResult, PushGatewayError>
        do {
            let accepted =
                switch method {
                case .put: try await client.push(families, to: group)
                case .post: try await client.add(families, to: group)
                }
            pushed.insert(group)
            logger.debug("pushed", metadata: ["url": "\(accepted.url)", "status": "\(accepted.status)"])
            result = .success(accepted)
        } catch {
            logger.warning("push failed", metadata: ["group": "\(group.path)", "error": "\(error)"])
            result = .failure(error)
        }
        return GroupOutcome(group: group, result: result)
    }

    /// Deletes every group this sink has pushed to (for `--delete-on-exit`).
    public func deletePushedGroups() async -> [GroupOutcome] {
        var outcomes: [GroupOutcome] = []
        for group in pushed.values.sorted(by: { $0.path < $1.path }) {
            do {
                outcomes.append(GroupOutcome(group: group, result: .success(try await client.delete(group))))
            } catch {
                logger.warning("delete failed", metadata: ["group": "\(group.path)", "error": "\(error)"])
                outcomes.append(GroupOutcome(group: group, result: .failure(error)))
            }
        }
        return outcomes
    }

    /// The families of each namespace, without the `namespace` label, namespaces in
    /// order of first appearance.
    static func splitByNamespace(_ families: [MetricFamily]) -> [(String, [MetricFamily])] {
        var order: [String] = []
        var groups: [String: [MetricFamily]] = [:]
        for family in families {
            var perNamespace: [String: MetricFamily] = [:]
            var familyOrder: [String] = []
            for sample in family.samples {
                let namespace = sample.labels["namespace"] ?? ""
                var stripped = sample
                stripped.labels = sample.labels.removing("namespace")
                if perNamespace[namespace] == nil {
                    var empty = family
                    empty.samples = []
                    perNamespace[namespace] = empty
                    familyOrder.append(namespace)
                }
                perNamespace[namespace]!.samples.append(stripped)
            }
            for namespace in familyOrder {
                if groups[namespace] == nil { order.append(namespace) }
                groups[namespace, default: []].append(perNamespace[namespace]!)
            }
        }
        return order.map { ($0, groups[$0]!) }
    }
}
