/// How requests authenticate. Secrets are read from files (so they stay out of the
/// command line and the process list) and re-read for every request, so a rotated
/// token is picked up without a restart. Leading and trailing white space, such as
/// the final newline of the file, is ignored.
public enum HTTPAuthentication: Sendable, Hashable {
    case none
    /// `Authorization: Basic`, the password read from `passwordFile`.
    case basic(username: String, passwordFile: String)
    /// `Authorization: Bearer`, the token read from `tokenFile`.
    case bearer(tokenFile: String)
}
