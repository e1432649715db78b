/// Removes credentials from URLs before they reach an error message or a log line.
public enum URLRedaction {
    /// `url` without its user information: `https://user:secret@host/path` becomes
    /// `https://host/path`. Text that is not a URL comes back unchanged.
    public static func redact(_ url: String) -> String {
        redactAll(in: url)
    }

    /// `text` with the user information of every `scheme://user:password@host` in it
    /// removed, for free text such as libcurl's messages or a server's answer.
    public static func redactAll(in text: String) -> String {
        var bytes = Array(text.utf8)
        var searchFrom = 0
        while let separator = find(Array("://".utf8), in: bytes, from: searchFrom) {
            let authorityStart = separator + 3
            var end = authorityStart
            var lastAt: Int? = nil
            while end < bytes.count, !terminators.contains(bytes[end]) {
                if bytes[end] == UInt8(ascii: "@") { lastAt = end }
                end += 1
            }
            if let lastAt {
                bytes.removeSubrange(authorityStart...lastAt)
            }
            searchFrom = authorityStart
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static let terminators: Set<UInt8> = Set("/?# \t\r\n\"'<>`,;".utf8)

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count)
        where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}
