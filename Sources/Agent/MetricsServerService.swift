import Logging
import PullServer
import ServiceLifecycle

/// The `/metrics` endpoint as a service: listening from the start, closed after the
/// services after it in the group have stopped.
public struct MetricsServerService: Service {
    let server: MetricsServer

    public init(server: MetricsServer) {
        self.server = server
    }

    public func run() async throws {
        try await server.start()
        try? await gracefulShutdown()
        await server.shutdown()
    }
}
