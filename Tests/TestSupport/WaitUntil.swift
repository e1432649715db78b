/// Polls `condition` every `poll` until it holds; throws ``TestFailure`` naming `what`
/// after `timeout`. For what a test waits on in another process or task (a receiver
/// storing samples, an agent reaching a cycle); not for timing assertions.
public func waitUntil(
    _ what: String, timeout: Duration = .seconds(90), poll: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let end = clock.now + timeout
    while true {
        if try await condition() { return }
        guard clock.now < end else { throw TestFailure("timed out after \(timeout) waiting until \(what)") }
        try await Task.sleep(for: poll)
    }
}
