/// Why a network namespace could not be entered or identified. The collector turns it into
/// a ``CollectorError`` of the same kind, which adds what to do about it.
public struct NamespaceError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// No file at the path.
        case notFound
        /// A file that setns(2) does not take as a network namespace.
        case notANamespace
        /// Opening or entering it was refused: CAP_SYS_ADMIN is missing.
        case entryDenied
        /// Any other system failure (no thread, or the namespace's thread has ended).
        case failure
    }

    public var kind: Kind
    /// The path the namespace was given by.
    public var namespace: String
    public var detail: String

    public init(_ kind: Kind, namespace: String, detail: String) {
        self.kind = kind
        self.namespace = namespace
        self.detail = detail
    }

    public var description: String { "network namespace \(namespace): \(detail)" }
}
