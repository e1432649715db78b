/// How a push treats what the group already holds.
public enum PushMethod: String, Sendable, CaseIterable {
    /// Replace the whole group (HTTP PUT).
    case put
    /// Replace only the families pushed (HTTP POST).
    case post
}
