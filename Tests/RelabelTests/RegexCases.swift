/// The patterns and texts that both the local regex tests and the comparison with
/// Prometheus run: RE2 syntax the translation rewrites, the shapes matched without the
/// engine, flags, classes, escapes, and texts with newlines, look-alike characters and
/// combining marks.
enum RegexCases {
    static let valid: [String] = [
        "", "a", "abc", "a|b|abc", "a|ab", "(a|abc)", ".*", "(.*)", ".+", "(.+)", "a.*", "(a.*)", "a(.*)", "a(.+)",
        "ab.+", "a-b|a_b", "__name__|job", "(|a)", "()", "a|", "|",
        ".", "(?s).", "(?s:.)x?", "[^a]", "[^\\n]", "\\d+", "\\D", "\\w+", "\\W", "\\s", "\\S+",
        "\\pL+", "\\p{L}+", "\\PL", "\\p{Greek}", "\\p{^Greek}", "\\pN", "\\p{Lu}",
        "[[:alpha:]]+", "[[:^digit:]]+", "[[:word:]]+", "[[:space:]]", "[[:punct:]]", "[]a]+", "[^]a]", "[a-]+",
        "[-a]+", "[a&&b]+", "[a~~b]+", "[+--]+", "[\\d\\s]+", "[\\v]", "\\v", "[[]", "[a[]+",
        "a{,5}", "a{2}", "a{2,}", "a{1,2}", "a{0}", "{", "x{", "a{1", "a{01}", "a{1000}",
        "(?i)abc", "(?i)k", "(?i)K", "(?i)[^a]", "(?i)é", "(?i)ß", "(?i)[a-c]+",
        "(?U)(a+)(a*)", "(a+?)(a*)", "(a|ab)(c|bcd)(d*)", "(a*)+", "(a)|b", "(a)(b)?",
        "(?P<n>a)(b)?", "(?P<n>[^:]+):(\\d+)", "(?P<n>[^:]+)",
        "\\Qa.b\\E", "\\Q.*\\E", "\\Q\\E", "\\x41+", "\\x{263A}", "\\101", "\\0", "\\.", "\\_", "\\$", "\\{", "\\-",
        "^abc$", "a$", "\\Aa\\z", "\\bab\\b", "a\\B", "(?m)^a$", "é", "e\u{301}",
        // Closing Prometheus' own group early: "^(?:a)|(b)$" is not anchored at both ends.
        "a)|(b", "a)(b", "a)|(?:b",
        "x*", "a?", "a??", "a*?", "[a-c]+", "[\\x{41}-\\x{43}]+", "[\\pL\\d]+", "(?:ab)+",
        "(?i:A)b", "(?i)a(?-i)b", "(?i-s:a.)", "(?s)(?-s:.)", "(?)a", "\\S+\\s\\S+", "[^\\x00-\\x{7F}]+",
    ]

    static let invalid: [String] = [
        "a(", ")", "(a))", "[z-a]", "a**", "a++", "a*+", "*a", "(*a)", "a|*", "(?=a)", "(?!a)", "(?<=a)b", "(?>a)",
        "(a)\\1", "\\h", "\\e", "\\Z", "\\C", "\\8", "a{1001}", "a{2,1}", "x{2}{3}", "a?*", "(?x)a", "(?P<>a)",
        "(?P<a-b>c)", "(?P=n)", "(?#c)", "[[:foo:]]", "\\p{Foo}", "\\p", "\\", "[a", "[\\b]", "\\xZ1", "\\x{}",
        "(?i", "(?-)", "a{1000000000}", "[a--b]", "\\Q.*",
    ]

    /// Patterns whose matches agree with RE2 but whose groups may not (see
    /// ``RE2Translation``): an empty last repetition of a group that can match empty.
    static let groupDifferences: Set<String> = ["(a*)+"]

    static let texts: [String] = [
        "", "a", "ab", "abc", "abcd", "aaa", "A", "ABC", "aBc", "b", "\n", "a\nb", "a\n", "\r", "\u{0B}", "\u{85}",
        "\u{2028}", "k", "K", "\u{212A}", "\u{E9}", "e\u{301}", "\u{C9}", "ß", "SS", "\u{1E9E}", "١٢", "5", "_", " ",
        "a{,5}", "a{1", "{", "x{", "aa", "a.b", "a-b", "a_b", "]", "&", "~", "-", "[", "a&b", "αβγ", "Ω", "☺", "\u{0}",
        "h:80", "10.0.0.1:8080", "__name__", "job", "a b", "A", "$", "AAA", "ab ab", "é",
    ]
}
