import Namespaces

/// Why one network namespace could not be read. Each case's description says what
/// went wrong, where, and what to do about it.
public struct CollectorError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The IPVS generic-netlink family is not registered: ip_vs is not loaded.
        case ipvsUnavailable = "ipvs_unavailable"
        /// The kernel refused an IPVS request: CAP_NET_ADMIN is missing.
        case permissionDenied = "permission_denied"
        /// The namespace file does not exist.
        case namespaceNotFound = "namespace_not_found"
        /// The file exists but is not a network namespace.
        case notANamespace = "not_a_namespace"
        /// Entering the namespace was refused: CAP_SYS_ADMIN is missing.
        case namespaceEntryDenied = "namespace_entry_denied"
        /// Any other netlink or system failure.
        case failure
    }

    public var kind: Kind
    /// The namespace path; empty for the agent's own namespace.
    public var namespace: String
    public var detail: String

    public init(_ kind: Kind, namespace: String, detail: String) {
        self.kind = kind
        self.namespace = namespace
        self.detail = detail
    }

    /// A namespace that could not be entered or identified, with the advice of its kind.
    public init(_ error: NamespaceError) {
        let kind: Kind =
            switch error.kind {
            case .notFound: .namespaceNotFound
            case .notANamespace: .notANamespace
            case .entryDenied: .namespaceEntryDenied
            case .failure: .failure
            }
        self.init(kind, namespace: error.namespace, detail: error.detail)
    }

    /// How messages name a namespace.
    public static func describe(namespace: String) -> String {
        namespace.isEmpty ? "the agent's own network namespace" : "network namespace \(namespace)"
    }

    public var description: String {
        let place = Self.describe(namespace: namespace)
        switch kind {
        case .ipvsUnavailable:
            return "\(place): IPVS is not available (\(detail)); load the kernel module with `modprobe ip_vs`"
        case .permissionDenied:
            return "\(place): permission denied reading IPVS (\(detail)); ipvs-push needs CAP_NET_ADMIN"
                + " (run it as root or grant the capability)"
        case .namespaceNotFound:
            return "\(place): the file does not exist (\(detail)); check the --namespace-path"
                + " (Docker keeps its ingress at /var/run/docker/netns/ingress_sbox)"
        case .notANamespace:
            return "\(place): the file is not a network namespace (\(detail)); pass a file such as"
                + " /run/netns/NAME or /proc/PID/ns/net"
        case .namespaceEntryDenied:
            return "\(place): entering the namespace was refused (\(detail)); ipvs-push needs CAP_SYS_ADMIN"
                + " to enter other network namespaces"
        case .failure:
            return "\(place): \(detail)"
        }
    }
}
