/// A compiled `Regex<AnyRegexOutput>`, shared between threads.
///
/// `Regex` is `Sendable` when its output type is; `AnyRegexOutput` is not only because
/// it can carry values of any type, which matches of a pattern compiled from a string
/// never do (their captures are substrings). The compiled program is built once on the
/// first match, which ``init(_:)`` triggers, so that threads only ever read it.
struct SharedRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>

    init(_ regex: Regex<AnyRegexOutput>) {
        self.regex = regex
        _ = try? regex.wholeMatch(in: "")
    }
}
