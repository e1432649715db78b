import CCurl
import Dispatch
import TimeUnits

/// One libcurl easy handle and its error buffer. The handle keeps its connections
/// (and TLS sessions, DNS cache) open between transfers, which is why handles are
/// pooled rather than created per request. Used by one thread at a time; the C
/// pointers never leave this class, and `deinit` frees them.
///
/// Each handle has its own serial dispatch queue for its blocking transfers. Serial
/// queues get a thread of their own when they block, unlike concurrent queues, whose
/// threads (as many as there are cores) are shared with the Swift concurrency pool:
/// blocking those would starve every task in the process.
final class CurlEasyHandle {
    let queue = DispatchQueue(label: "ipvs-push.http-transport.handle")
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private let errorBufferSize: Int

    init() throws(HTTPTransportError) {
        try CurlGlobal.ensureInitialized()
        guard let handle = CCurl_easy_init(CurlGlobal.api) else {
            throw .configuration("libcurl could not create a handle (out of memory)")
        }
        self.handle = handle
        errorBufferSize = Int(CCurl_error_size())
        errorBuffer = .allocate(capacity: errorBufferSize)
        errorBuffer.initialize(repeating: 0, count: errorBufferSize)
    }

    deinit {
        CCurl_easy_cleanup(CurlGlobal.api, handle)
        errorBuffer.deallocate()
    }

    /// Runs one transfer, blocking the calling thread until it ends. Never throws:
    /// every failure comes back as a `.failure` with secrets already scrubbed.
    func perform(_ request: PreparedRequest, cancellation: CancellationFlag) -> Result<HTTPResponse, HTTPTransportError>
    {
        CCurl_easy_reset(CurlGlobal.api, handle)
        errorBuffer[0] = 0
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { CCurl_slist_free_all(CurlGlobal.api, headerList) }
        let accumulator = ResponseAccumulator(bodyLimit: request.maxStoredBodyBytes, cancellation: cancellation)
        let context = Unmanaged.passUnretained(accumulator).toOpaque()

        do {
            try configure(request, context: context)
            for line in request.headerLines {
                guard let extended = CCurl_slist_append(CurlGlobal.api, headerList, line) else {
                    return .failure(.configuration("libcurl could not store a header (out of memory)"))
                }
                headerList = extended
            }
            try check(CCurl_easy_setopt_slist(CurlGlobal.api, handle, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")
        } catch {
            return .failure(error)
        }

        let code: CURLcode = withExtendedLifetime(accumulator) {
            withBody(request) { body in
                if let body {
                    let set = setBody(body, method: request.method)
                    guard set == CURLE_OK else { return set }
                } else if let failure = setBodylessMethod(request.method), failure != CURLE_OK {
                    return failure
                }
                return CCurl_easy_perform(CurlGlobal.api, handle)
            }
        }

        guard code == CURLE_OK else { return .failure(error(for: code, request: request, cancellation: cancellation)) }
        var status = 0
        _ = CCurl_easy_getinfo_long(CurlGlobal.api, handle, CURLINFO_RESPONSE_CODE, &status)
        let response = HTTPResponse(
            status: status, headers: accumulator.headers, body: accumulator.body,
            bodyBytesReceived: accumulator.bodyBytesReceived, timing: timing())
        return .success(response)
    }

    private func configure(_ request: PreparedRequest, context: UnsafeMutableRawPointer) throws(HTTPTransportError) {
        try set(CURLOPT_URL, request.url, "URL")
        try set(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR")
        try set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try set(
            CURLOPT_CONNECTTIMEOUT_MS, Int(clamping: max(request.connectTimeout.milliseconds, 1)), "CONNECTTIMEOUT_MS")
        try set(CURLOPT_TIMEOUT_MS, Int(clamping: max(request.timeout.milliseconds, 1)), "TIMEOUT_MS")
        try set(CURLOPT_TCP_KEEPALIVE, 1, "TCP_KEEPALIVE")
        try set(CURLOPT_USERAGENT, request.userAgent, "USERAGENT")
        try check(CCurl_easy_setopt_pointer(CurlGlobal.api, handle, CURLOPT_ERRORBUFFER, errorBuffer), "ERRORBUFFER")

        if let caFile = request.tls.caFile { try set(CURLOPT_CAINFO, caFile, "CAINFO") }
        if let certificate = request.tls.certificateFile { try set(CURLOPT_SSLCERT, certificate, "SSLCERT") }
        if let key = request.tls.keyFile { try set(CURLOPT_SSLKEY, key, "SSLKEY") }
        if let version = request.tls.minimumVersion {
            let value: Int =
                switch version {
                case .tls10: Int(CURL_SSLVERSION_TLSv1_0)
                case .tls11: Int(CURL_SSLVERSION_TLSv1_1)
                case .tls12: Int(CURL_SSLVERSION_TLSv1_2)
                case .tls13: Int(CURL_SSLVERSION_TLSv1_3)
                }
            try set(CURLOPT_SSLVERSION, value, "SSLVERSION")
        }
        if request.tls.insecureSkipVerify {
            try set(CURLOPT_SSL_VERIFYPEER, 0, "SSL_VERIFYPEER")
            try set(CURLOPT_SSL_VERIFYHOST, 0, "SSL_VERIFYHOST")
        }
        if let proxy = request.proxyURL { try set(CURLOPT_PROXY, proxy, "PROXY") }
        if let noProxy = request.noProxy { try set(CURLOPT_NOPROXY, noProxy, "NOPROXY") }
        if let socket = request.unixSocketPath { try set(CURLOPT_UNIX_SOCKET_PATH, socket, "UNIX_SOCKET_PATH") }

        try check(CCurl_easy_setopt_write_function(CurlGlobal.api, handle, Self.writeCallback), "WRITEFUNCTION")
        try check(CCurl_easy_setopt_pointer(CurlGlobal.api, handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
        try check(CCurl_easy_setopt_header_function(CurlGlobal.api, handle, Self.headerCallback), "HEADERFUNCTION")
        try check(CCurl_easy_setopt_pointer(CurlGlobal.api, handle, CURLOPT_HEADERDATA, context), "HEADERDATA")
        try check(
            CCurl_easy_setopt_xferinfo_function(CurlGlobal.api, handle, Self.progressCallback), "XFERINFOFUNCTION")
        try check(CCurl_easy_setopt_pointer(CurlGlobal.api, handle, CURLOPT_XFERINFODATA, context), "XFERINFODATA")
        try set(CURLOPT_NOPROGRESS, 0, "NOPROGRESS")
    }

    /// Calls `body` with a pointer to the request body that stays valid during the
    /// transfer (libcurl does not copy `POSTFIELDS`), or nil for a bodyless request.
    private func withBody<T>(_ request: PreparedRequest, _ body: (UnsafeRawBufferPointer?) -> T) -> T {
        let needsBody = request.body != nil || request.method == .post || request.method == .put
        guard needsBody else { return body(nil) }
        let bytes = request.body ?? []
        if bytes.isEmpty {
            var placeholder: UInt8 = 0
            return withUnsafeBytes(of: &placeholder) { body(UnsafeRawBufferPointer(rebasing: $0[0..<0])) }
        }
        return bytes.withUnsafeBytes { body($0) }
    }

    private func setBody(_ body: UnsafeRawBufferPointer, method: HTTPMethod) -> CURLcode {
        var code = CCurl_easy_setopt_long(CurlGlobal.api, handle, CURLOPT_POST, 1)
        guard code == CURLE_OK else { return code }
        code = CCurl_easy_setopt_off_t(CurlGlobal.api, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
        guard code == CURLE_OK else { return code }
        // Never NULL (libcurl would then read the body from stdin): `withBody` gives an
        // empty body a real address.
        guard let base = body.baseAddress else { return CURLE_BAD_FUNCTION_ARGUMENT }
        code = CCurl_easy_setopt_pointer(
            CurlGlobal.api, handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: base))
        guard code == CURLE_OK, method != .post else { return code }
        return CCurl_easy_setopt_string(CurlGlobal.api, handle, CURLOPT_CUSTOMREQUEST, method.rawValue)
    }

    private func setBodylessMethod(_ method: HTTPMethod) -> CURLcode? {
        switch method {
        case .get: CCurl_easy_setopt_long(CurlGlobal.api, handle, CURLOPT_HTTPGET, 1)
        case .head: CCurl_easy_setopt_long(CurlGlobal.api, handle, CURLOPT_NOBODY, 1)
        case .delete, .post, .put:
            CCurl_easy_setopt_string(CurlGlobal.api, handle, CURLOPT_CUSTOMREQUEST, method.rawValue)
        }
    }

    private func error(for code: CURLcode, request: PreparedRequest, cancellation: CancellationFlag)
        -> HTTPTransportError
    {
        let number = Int(code.rawValue)
        if number == CurlCodes.abortedByCallback && cancellation.isCancelled {
            return .cancelled(url: request.redactedURL)
        }
        if number == CurlCodes.operationTimedOut {
            return .timeout(url: request.redactedURL, limit: request.timeout)
        }
        var message =
            errorBuffer[0] != 0
            ? String(cString: errorBuffer) : String(cString: CCurl_easy_strerror(CurlGlobal.api, code))
        message = request.redactor.scrub(message)
        return .network(curlCode: number, message: message, url: request.redactedURL)
    }

    private func timing() -> HTTPTiming {
        func microseconds(_ info: CURLINFO) -> Duration {
            var value: curl_off_t = 0
            _ = CCurl_easy_getinfo_off_t(CurlGlobal.api, handle, info, &value)
            return .microseconds(value)
        }
        return HTTPTiming(
            connect: microseconds(CURLINFO_CONNECT_TIME_T),
            firstByte: microseconds(CURLINFO_STARTTRANSFER_TIME_T),
            total: microseconds(CURLINFO_TOTAL_TIME_T))
    }

    private func set(_ option: CURLoption, _ value: Int, _ name: String) throws(HTTPTransportError) {
        try check(CCurl_easy_setopt_long(CurlGlobal.api, handle, option, value), name)
    }

    private func set(_ option: CURLoption, _ value: String, _ name: String) throws(HTTPTransportError) {
        try check(CCurl_easy_setopt_string(CurlGlobal.api, handle, option, value), name)
    }

    private func check(_ code: CURLcode, _ option: String) throws(HTTPTransportError) {
        guard code != CURLE_OK else { return }
        let reason = String(cString: CCurl_easy_strerror(CurlGlobal.api, code))
        throw .configuration("libcurl refused the option CURLOPT_\(option): \(reason) (curl error \(code.rawValue))")
    }

    private static let writeCallback:
        @convention(c) (
            UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?
        ) -> Int = { data, size, count, context in
            guard let context else { return 0 }
            let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(context).takeUnretainedValue()
            accumulator.appendBody(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }

    private static let headerCallback:
        @convention(c) (
            UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?
        ) -> Int = { data, size, count, context in
            guard let context else { return 0 }
            let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(context).takeUnretainedValue()
            accumulator.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }

    /// Returning non-zero aborts the transfer (`CURLE_ABORTED_BY_CALLBACK`).
    private static let progressCallback:
        @convention(c) (
            UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t
        ) -> Int32 = { context, _, _, _, _ in
            guard let context else { return 0 }
            let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(context).takeUnretainedValue()
            return accumulator.cancellation.isCancelled ? 1 : 0
        }
}
