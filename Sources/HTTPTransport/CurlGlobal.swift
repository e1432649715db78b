import CCurl

/// libcurl's process-wide setup, done exactly once before the first handle is created:
/// loading the library (``CCurl_load``: commands that never send a request never load
/// it) and `curl_global_init`. A Swift `static let` is initialised once, thread-safely.
enum CurlGlobal {
    /// libcurl's functions, filled once by `CCurl_load` and kept for the life of the
    /// process; every `CCurl_` call takes it. Read only after ``ensureInitialized()``.
    nonisolated(unsafe) static let api: UnsafeMutablePointer<CCurl_api> = {
        let api = UnsafeMutablePointer<CCurl_api>.allocate(capacity: 1)
        api.initialize(to: CCurl_api())
        return api
    }()

    private static let initResult: Result<Void, HTTPTransportError> = {
        var error = [CChar](repeating: 0, count: 512)
        guard CCurl_load(api, &error, error.count) == 0 else {
            let reason = String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(
                .configuration(
                    "libcurl could not be loaded (\(reason)); install libcurl4 (Debian: apt-get install libcurl4)"))
        }
        let code = Int(CCurl_global_init_all(api).rawValue)
        guard code == 0 else {
            return .failure(
                .configuration("libcurl could not initialise (curl error \(code)); check the TLS library installation"))
        }
        return .success(())
    }()

    /// Throws if libcurl cannot be loaded or its global initialisation failed.
    static func ensureInitialized() throws(HTTPTransportError) {
        try initResult.get()
    }
}
