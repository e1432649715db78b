import Testing

/// Gives a suite its own Pushgateway for the duration of the suite (started before its
/// first test, stopped after its last), reachable through `TestPushgateway.current`.
struct PushgatewayTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try await TestPushgateway.start()
        defer { server.stop() }
        try await TestPushgateway.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == PushgatewayTrait {
    /// The suite's tests push to one real Debian Pushgateway, started for the suite.
    static var pushgateway: Self { Self() }
}
