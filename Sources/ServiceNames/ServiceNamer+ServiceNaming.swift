import Collector

/// The collector calls the namer after every collection.
extension ServiceNamer: ServiceNaming {
    public func applyNames(to namespaces: inout [NamespaceCollection]) -> [ServiceName.Source: Bool] {
        name(&namespaces)
        var up: [ServiceName.Source: Bool] = [:]
        if let docker { up[.docker] = docker.isUp }
        if file != nil { up[.file] = true }
        return up
    }
}
