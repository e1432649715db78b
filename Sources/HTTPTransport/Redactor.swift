import Foundation

/// Scrubs one request's secrets (password, token, the encoded basic credentials, URL
/// user information) from text that leaves the transport: libcurl's error messages
/// and the body prefix kept in a status error, which a misbehaving server or proxy
/// may fill with an echo of the request.
struct Redactor: Sendable {
    static let placeholder = "<redacted>"

    private var secrets: [String]

    init(secrets: [String]) {
        // Longest first, so a secret containing another is replaced whole.
        self.secrets = Array(Set(secrets.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    func scrub(_ text: String) -> String {
        var result = URLRedaction.redactAll(in: text)
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.placeholder)
        }
        return result
    }
}
