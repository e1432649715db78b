import Collector

/// The collector calls the namer after every collection.
extension ServiceNamer: ServiceNaming {
    public func applyNames(to namespaces: inout [NamespaceCollection]) -> [ServiceName.Source: Bool] {
        name(&namespaces)
        return sourcesUp()
    }
}
