import ArgumentParser
import Collector
import Configuration
import Logging
import ServiceNames

extension CollectionSettings {
    /// The collector every command that reads IPVS uses, with its names sources: Docker is
    /// asked once before the first collection, so that it is named too (at most the request's
    /// timeout; a Docker that does not answer is asked again in the background). A names
    /// source that cannot be used (the Docker host is not a socket, the names file has
    /// problems) is a configuration error: exit 78.
    func namedCollector(logger: Logger) async throws -> (collector: IPVSCollector, namer: ServiceNamer?) {
        let namer: ServiceNamer?
        do {
            namer = try makeNamer(logger: logger)
        } catch {
            StandardStreams.error("\(error)")
            throw ExitStatus.configuration
        }
        await namer?.refreshNow()
        return (makeCollector(namer: namer, logger: logger), namer)
    }
}
