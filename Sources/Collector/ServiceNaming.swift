/// Names virtual services in a collection (Docker's Engine API, the operator's names file).
///
/// Called by ``IPVSCollector`` after every collection, on its queue: it must not block on
/// the network; a source that needs a request works from its last answer and refreshes it
/// in the background.
public protocol ServiceNaming: Sendable {
    /// Sets ``VirtualService/name`` on every service it knows, and says which sources answered.
    func applyNames(to namespaces: inout [NamespaceCollection]) -> [ServiceName.Source: Bool]
}
