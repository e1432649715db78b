import Foundation

/// A request merged with the configuration and ready for libcurl: final header
/// lines, secrets read, a redactor for everything that comes back out.
struct PreparedRequest {
    var method: HTTPMethod
    var url: String
    var redactedURL: String
    var headerLines: [String]
    var body: [UInt8]?
    var connectTimeout: Duration
    var timeout: Duration
    var tls: TLSConfiguration
    var proxyURL: String?
    var noProxy: String?
    var unixSocketPath: String?
    var userAgent: String
    var maxStoredBodyBytes: Int
    var redactor: Redactor

    /// Header names whose values are treated as secrets in error text.
    static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "x-api-key", "x-auth-token",
    ]

    init(_ request: HTTPRequest, configuration: TransportConfiguration) throws(HTTPTransportError) {
        var headers = configuration.headers
        var secrets: [String] = []
        switch configuration.authentication {
        case .none:
            break
        case .basic(let username, let secret):
            let password = try secret.reveal(purpose: "basic auth password")
            let credentials = Data("\(username):\(password)".utf8).base64EncodedString()
            headers.replaceOrAdd(name: "Authorization", value: "Basic \(credentials)")
            secrets += [password, credentials]
        case .authorization(let type, let secret):
            let credentials = try secret.reveal(purpose: type == "Bearer" ? "bearer token" : "\(type) credentials")
            headers.replaceOrAdd(name: "Authorization", value: "\(type) \(credentials)")
            secrets.append(credentials)
        }
        headers = headers.merging(request.headers)
        if request.body != nil || request.method == .post || request.method == .put {
            // libcurl would otherwise add its form Content-Type and, for large bodies,
            // `Expect: 100-continue`, which costs a round trip.
            if !headers.contains("Content-Type") { headers.add(name: "Content-Type", value: "") }
        }
        if !headers.contains("Expect") { headers.add(name: "Expect", value: "") }
        for field in headers where Self.sensitiveHeaders.contains(field.name.lowercased()) {
            secrets.append(field.value)
            if let space = field.value.firstIndex(of: " ") {
                secrets.append(String(field.value[field.value.index(after: space)...]))
            }
        }
        secrets += Self.userInfoSecrets(request.url) + Self.userInfoSecrets(configuration.proxyURL ?? "")

        method = request.method
        url = request.url
        redactedURL = URLRedaction.redact(request.url)
        headerLines = headers.map { $0.value.isEmpty ? "\($0.name):" : "\($0.name): \($0.value)" }
        body = request.body
        connectTimeout = configuration.connectTimeout
        timeout = request.timeout ?? configuration.timeout
        tls = configuration.tls
        proxyURL = configuration.proxyURL
        noProxy = configuration.noProxy
        unixSocketPath = configuration.unixSocketPath
        userAgent = configuration.userAgent
        maxStoredBodyBytes = max(configuration.maxStoredBodyBytes, HTTPStatusFailure.bodyPrefixLimit)
        redactor = Redactor(secrets: secrets)
    }

    /// The password of `scheme://user:password@host`, raw and percent-decoded.
    private static func userInfoSecrets(_ url: String) -> [String] {
        guard let schemeEnd = url.range(of: "://") else { return [] }
        let authority = url[schemeEnd.upperBound...].prefix { !"/?#".contains($0) }
        guard let at = authority.lastIndex(of: "@") else { return [] }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return [] }
        let password = String(userInfo[userInfo.index(after: colon)...])
        return [password, password.removingPercentEncoding ?? password, String(userInfo)]
    }
}
