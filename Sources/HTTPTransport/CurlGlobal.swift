import CCurl

/// libcurl's process-wide setup (`curl_global_init`), done exactly once before the
/// first handle is created. A Swift `static let` is initialised once, thread-safely.
enum CurlGlobal {
    private static let initResult: Int = Int(CCurl_global_init_all().rawValue)

    /// Throws if libcurl's global initialisation failed (only on a broken TLS library).
    static func ensureInitialized() throws(HTTPTransportError) {
        let code = initResult
        guard code == 0 else {
            throw .configuration(
                "libcurl could not initialise (curl error \(code)); check the TLS library installation")
        }
    }
}
