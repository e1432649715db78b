/// How often Docker's Engine API is read, and how long an answer is trusted.
public struct DockerRefreshTiming: Sendable, Hashable {
    /// The least time between the starts of two reads. A new Swarm service appears as an
    /// unnamed mark, which asks for a read; this keeps a mark Docker does not know
    /// (another tool's, or a service being removed) from asking at every collection.
    public var minimumInterval: Duration
    /// How old an answer may get before it is read again. Also how long an answer keeps
    /// naming marks after reads started to fail: renamed or moved services are then
    /// wrong for at most this long, and names do not flicker away when the daemon
    /// restarts.
    public var maximumAge: Duration

    public init(minimumInterval: Duration = .seconds(5), maximumAge: Duration = .seconds(60)) {
        self.minimumInterval = minimumInterval
        self.maximumAge = maximumAge
    }
}
