/// The user name and password of an `Authorization: Basic` header (RFC 7617), read the way
/// Go's `Request.BasicAuth` reads them: the scheme in any case, standard base64, the
/// user up to the first colon and the password after it.
struct BasicAuthCredentials {
    var user: String
    /// The password bytes as sent; never logged.
    var password: [UInt8]

    /// `nil` when the header is not a well-formed Basic credential.
    init?(authorization: String) {
        let scheme = "basic "
        guard authorization.utf8.count > scheme.utf8.count,
            authorization.utf8.prefix(scheme.utf8.count).map({ $0 | 0x20 }).elementsEqual(scheme.utf8),
            let decoded = Self.decodeBase64(authorization.utf8.dropFirst(scheme.utf8.count)),
            let colon = decoded.firstIndex(of: UInt8(ascii: ":"))
        else { return nil }
        guard let user = String(validating: decoded[..<colon], as: UTF8.self) else { return nil }
        self.user = user
        self.password = Array(decoded[(colon + 1)...])
    }

    /// Standard base64 with padding, as Go's `base64.StdEncoding` wants it.
    private static func decodeBase64(_ text: Substring.UTF8View) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3)
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        for byte in text {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                padding += 1
                continue
            default: return nil
            }
            guard padding == 0 else { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        guard padding <= 2 else { return nil }
        return output
    }
}
