/// How requests authenticate, as Prometheus' `basic_auth` and `authorization` blocks
/// say. Secrets kept in files are re-read for every request, so a rotated token is
/// picked up without a restart; leading and trailing white space, such as the final
/// newline of the file, is ignored.
public enum HTTPAuthentication: Sendable, Hashable {
    case none
    /// `Authorization: Basic` with `username` and the password.
    case basic(username: String, password: HTTPSecret)
    /// `Authorization: TYPE CREDENTIALS`; Prometheus' `authorization` block, whose type
    /// defaults to `Bearer`.
    case authorization(type: String, credentials: HTTPSecret)

    /// Basic authentication with the password read from `passwordFile`.
    public static func basic(username: String, passwordFile: String) -> Self {
        .basic(username: username, password: .file(passwordFile))
    }

    /// `Authorization: Bearer` with the token read from `tokenFile`.
    public static func bearer(tokenFile: String) -> Self {
        .authorization(type: "Bearer", credentials: .file(tokenFile))
    }
}

/// A password or token: given in the configuration, or read from a file at each use.
/// Its description never shows the secret itself.
public enum HTTPSecret: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case inline(String)

    public var description: String {
        switch self {
        case .file(let path): "<secret in \(path)>"
        case .inline: "<secret>"
        }
    }

    /// The secret's value; `purpose` names it in errors (never the value).
    func reveal(purpose: String) throws(HTTPTransportError) -> String {
        switch self {
        case .file(let path): try SecretFile.load(path, purpose: purpose)
        case .inline(let value): value
        }
    }
}
