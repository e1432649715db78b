/// Which libcurl result codes (`CURLcode`, see libcurl-errors(3)) say that trying
/// again cannot help: the URL, the build or the TLS material is wrong.
enum CurlCodes {
    static let abortedByCallback = 42
    static let operationTimedOut = 28

    private static let permanent: Set<Int> = [
        1,  // UNSUPPORTED_PROTOCOL
        2,  // FAILED_INIT
        3,  // URL_MALFORMAT
        4,  // NOT_BUILT_IN
        27,  // OUT_OF_MEMORY
        43,  // BAD_FUNCTION_ARGUMENT
        48,  // UNKNOWN_OPTION
        53,  // SSL_ENGINE_NOTFOUND
        54,  // SSL_ENGINE_SETFAILED
        58,  // SSL_CERTPROBLEM: the client certificate or key
        59,  // SSL_CIPHER
        60,  // PEER_FAILED_VERIFICATION: the server's certificate is not trusted
        66,  // SSL_ENGINE_INITFAILED
        77,  // SSL_CACERT_BADFILE
        82,  // SSL_CRL_BADFILE
        83,  // SSL_ISSUER_ERROR
        90,  // SSL_PINNEDPUBKEYNOTMATCH
        91,  // SSL_INVALIDCERTSTATUS
    ]

    static func isPermanent(_ code: Int) -> Bool {
        permanent.contains(code)
    }
}
