/// Everything about how requests go out that does not depend on the request:
/// timeouts, TLS, proxy, authentication, extra headers.
public struct TransportConfiguration: Sendable {
    /// The most a TCP connect (and TLS handshake) may take.
    public var connectTimeout: Duration
    /// The most a whole request may take, connect included. Always set: a sender must
    /// never wait forever on a server that accepted the connection and went silent.
    public var timeout: Duration
    public var tls: TLSConfiguration
    /// The proxy for every request (`http://[user:password@]host:port`). When nil,
    /// libcurl follows the `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy`
    /// environment variables (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY` too; `http_proxy`
    /// only in lower case).
    public var proxyURL: String?
    /// Host names that bypass the proxy (comma-separated, `*` for all); nil keeps
    /// libcurl's reading of `no_proxy`.
    public var noProxy: String?
    public var authentication: HTTPAuthentication
    /// Extra fields for every request, such as `X-Scope-OrgID` for a Mimir tenant. A
    /// request's own fields replace these.
    public var headers: HTTPHeaders
    public var userAgent: String
    /// How much of a response body is kept (the rest is read and dropped).
    public var maxStoredBodyBytes: Int
    /// How many idle libcurl handles, each with its open connections, are kept for
    /// reuse. Concurrent requests beyond this still work; their handles are freed after.
    public var maxIdleHandles: Int
    /// A Unix domain socket every request connects to instead of the URL's host and
    /// port (libcurl's `CURLOPT_UNIX_SOCKET_PATH`), for servers that listen only on a
    /// socket file, such as Docker's Engine API at `/var/run/docker.sock`. The URL still
    /// gives the scheme, the `Host` field and the path (`http://localhost/v1.41/services`).
    public var unixSocketPath: String?

    public init(
        connectTimeout: Duration = .seconds(10),
        timeout: Duration = .seconds(30),
        tls: TLSConfiguration = TLSConfiguration(),
        proxyURL: String? = nil,
        noProxy: String? = nil,
        authentication: HTTPAuthentication = .none,
        headers: HTTPHeaders = HTTPHeaders(),
        userAgent: String = IPVSPushVersion.userAgent,
        maxStoredBodyBytes: Int = 64 * 1024,
        maxIdleHandles: Int = 4,
        unixSocketPath: String? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.tls = tls
        self.proxyURL = proxyURL
        self.noProxy = noProxy
        self.authentication = authentication
        self.headers = headers
        self.userAgent = userAgent
        self.maxStoredBodyBytes = maxStoredBodyBytes
        self.maxIdleHandles = maxIdleHandles
        self.unixSocketPath = unixSocketPath
    }
}
