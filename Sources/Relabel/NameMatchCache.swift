import NIOConcurrencyHelpers

/// Remembers whether a regex matched a label name, for labeldrop, labelkeep and
/// labelmap rules that need the regex engine: label names repeat across series (a few
/// dozen names over hundreds of thousands of series), label values do not.
///
/// Only ASCII names are kept (for them `String` equality is byte equality, as the
/// match needs), and at most `limit` of them, so odd input cannot grow it without end.
final class NameMatchCache: Sendable {
    private let results = NIOLockedValueBox<[String: Bool]>([:])
    private let limit: Int

    init(limit: Int = 4096) {
        self.limit = limit
    }

    func matches(_ name: String, _ regex: RelabelRegex) -> Bool {
        let cacheable = name.utf8.allSatisfy { $0 < 0x80 }
        if cacheable, let known = results.withLockedValue({ $0[name] }) { return known }
        let result = regex.matches(name)
        if cacheable {
            results.withLockedValue { cache in
                if cache.count < limit { cache[name] = result }
            }
        }
        return result
    }
}
