import TestSupport

/// curl against a server started from a web configuration file.
enum WebConfigCurl {
    /// The status code and the X-Content-Type-Options header, as `200 nosniff`; `000 ` when
    /// no HTTP answer came.
    static func status(_ url: String, _ arguments: [String]) async throws -> String {
        try await ChildProcess.run(
            "/usr/bin/curl",
            ["-s", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code} %header{x-content-type-options}"]
                + arguments + [url]
        ).stdout
    }
}
