import HTTPTransport

/// The subdirectory of the queue directory that holds one URL's queue: a readable part
/// (host, port and path with anything but letters, digits, `.`, `-` and `_` made `_`)
/// and a hash of the whole URL without credentials, so that two URLs never share a
/// queue and a changed password keeps the queue. (The hash must never change between
/// versions: a queue under another name would be left behind.)
public enum QueueDirectoryName {
    public static func name(for url: String) -> String {
        let redacted = URLRedaction.redact(url)
        var readable = redacted
        if let schemeEnd = readable.range(of: "://") { readable = String(readable[schemeEnd.upperBound...]) }
        let sanitized = String(
            readable.unicodeScalars.map { scalar -> Character in
                let allowed =
                    scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || scalar == "." || scalar == "-" || scalar == "_")
                return allowed ? Character(scalar) : "_"
            }
        ).prefix(48)
        var hasher = SeriesHash()
        hasher.add(redacted)
        let hash = String(hasher.value, radix: 16)
        return sanitized + "-" + String(repeating: "0", count: 16 - hash.count) + hash
    }
}
