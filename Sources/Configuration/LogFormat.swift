/// How log lines are written to standard error.
public enum LogFormat: String, Sendable, CaseIterable {
    /// `time=… level=info msg="…" key=value`, as the Prometheus tools write by default.
    case logfmt
    /// One JSON object per line.
    case json
}
