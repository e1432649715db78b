import Configuration
import Logging
import PullServer
import ServiceNames

/// What SIGHUP does in `run`: the settings read again (by `read`, which the command line
/// gives, since it knows the flags), their files checked, and a new plan built. The
/// names file and the web config file are read again too. What only a restart can
/// change is kept as it was, with a warning. Any problem rejects the reload as a whole
/// (thrown), and the running plan stays.
public struct ConfigurationReload: Sendable {
    /// The settings the agent started with.
    public let initial: AgentSettings
    let read: @Sendable () throws -> AgentSettings
    let namer: ServiceNamer?
    let server: MetricsServer?
    let logger: Logger

    public init(
        initial: AgentSettings, read: @escaping @Sendable () throws -> AgentSettings, namer: ServiceNamer?,
        server: MetricsServer?, logger: Logger
    ) {
        self.initial = initial
        self.read = read
        self.namer = namer
        self.server = server
        self.logger = logger
    }

    /// The plan after a reload.
    public func nextPlan() async throws -> AgentPlan {
        var next = try read()
        let problems = next.fileProblems()
        if !problems.isEmpty { throw SettingFilesError(problems: problems) }
        if Self.needsRestart(next, previous: initial) {
            logger.warning(
                "namespaces, connection states, the Docker host, turning the names file on or off, the listen address, the web config file's path and logging change only at restart; kept as they were"
            )
        }
        next.collection.namespaces = initial.collection.namespaces
        next.collection.namespaceGlobs = initial.collection.namespaceGlobs
        next.collection.connectionStates = initial.collection.connectionStates
        next.collection.dockerHost = initial.collection.dockerHost
        // A names file with problems keeps the one in use (and fails the reload).
        if let namer { namer.replaceFile(try next.collection.loadNamesFile()) }
        if let server, let path = initial.serve?.webConfigFile {
            // New users, renewed certificates.
            try await server.reload(security: try WebConfigFile.load(path: path))
        }
        return try AgentPlan(settings: next, logger: logger)
    }

    /// Whether `next` changes a setting that only a restart applies: what is read
    /// (namespaces, the connection table, the names sources), where it is served, and logging.
    static func needsRestart(_ next: AgentSettings, previous: AgentSettings) -> Bool {
        next.collection.namespaces != previous.collection.namespaces
            || next.collection.namespaceGlobs != previous.collection.namespaceGlobs
            || next.collection.connectionStates != previous.collection.connectionStates
            || next.collection.dockerHost != previous.collection.dockerHost
            || (next.collection.namesFile == nil) != (previous.collection.namesFile == nil)
            || next.serve?.listenAddress != previous.serve?.listenAddress
            || next.serve?.webConfigFile != previous.serve?.webConfigFile
            || next.logging.level != previous.logging.level || next.logging.format != previous.logging.format
    }
}
