import Testing

@testable import Relabel

@Suite("Relabel regexes: RE2 syntax and meaning on Swift's Regex")
struct RegexTests {
    private func matches(_ pattern: String, _ text: String) throws -> Bool {
        try RelabelRegex(pattern).matches(text)
    }

    @Test("Every valid case compiles and every invalid one is refused")
    func validity() {
        for pattern in RegexCases.valid {
            #expect(throws: Never.self, "\(pattern)") { _ = try RelabelRegex(pattern) }
        }
        for pattern in RegexCases.invalid {
            #expect(throws: RE2Translation.Failure.self, "\(pattern)") { _ = try RelabelRegex(pattern) }
        }
    }

    @Test("The shapes matched without the engine give the engine's results and groups")
    func simpleShapesAgree() throws {
        var simple = 0
        for pattern in RegexCases.valid + ["foo_(.*)", "(foo_.+)", "a:b|c/d", "x.y"] {
            let fast = try RelabelRegex(pattern)
            guard fast.isSimple else { continue }
            simple += 1
            let engine = try RelabelRegex(pattern, useEngine: true)
            #expect(!engine.isSimple)
            for text in RegexCases.texts + ["foo_", "foo_bar", "foo_\n", "a:b", "c/d", "xzy"] {
                #expect(fast.matches(text) == engine.matches(text), "\(pattern) on \(text.debugDescription)")
                let fastGroups = fast.match(text).map { match in match.groups.indices.map { match.group($0) } }
                let engineGroups = engine.match(text).map { match in match.groups.indices.map { match.group($0) } }
                #expect(fastGroups == engineGroups, "\(pattern) on \(text.debugDescription)")
            }
        }
        #expect(simple >= 20)
        #expect(try !RelabelRegex("x.y").isSimple)
    }

    @Test("Anchored at both ends, like ^(?:REGEX)$, including what closes that group early")
    func anchoring() throws {
        // "^(?:a)|(b)$": either "a" at the start or "b" at the end.
        #expect(try matches("a)|(b", "ax"))
        #expect(try matches("a)|(b", "xb"))
        #expect(try !matches("a)|(b", "xa"))
        #expect(try RelabelRegex("a)|(b").match("xb")?.group(1) == "b")
        #expect(try matches("b", "b"))
        #expect(try !matches("b", "abc"))
        #expect(try matches(".*b.*", "abc"))
        #expect(try matches("a|ab", "ab"))
        #expect(try !matches("a$", "a\n"))
    }

    @Test("RE2 meanings that differ from Swift's own reading of the same text")
    func re2Meanings() throws {
        // . excludes only \n.
        #expect(try matches(".", "\r"))
        #expect(try matches(".", "\u{85}"))
        #expect(try !matches(".", "\n"))
        #expect(try matches("(?s).", "\n"))
        #expect(try !matches("(.*)", "a\nb"))
        // One character is one Unicode scalar: é decomposed is two.
        #expect(try matches("..", "e\u{301}"))
        #expect(try !matches("\u{E9}", "e\u{301}"))
        #expect(try !matches("K", "\u{212A}"))
        // ASCII classes.
        #expect(try !matches("\\d", "١"))
        #expect(try !matches("\\w", "é"))
        #expect(try !matches("\\s", "\u{0B}"))
        #expect(try matches("\\v", "\u{0B}"))
        #expect(try matches("[[:alpha:]]+", "abc"))
        #expect(try !matches("[[:alpha:]]", "é"))
        #expect(try matches("[[:word:]]+", "ab_1"))
        // \pN and octal escapes.
        #expect(try matches("\\pN+", "١٢"))
        #expect(try matches("\\101", "A"))
        // { without a valid count is a literal.
        #expect(try matches("a{,5}", "a{,5}"))
        #expect(try !matches("a{,5}", "aa"))
        #expect(try matches("a{2,}", "aaa"))
        // Inside brackets, && -- ~~ and a leading ] are literal.
        #expect(try matches("[a&&b]+", "a&b"))
        #expect(try matches("[+--]+", ",-"))
        #expect(try matches("[]a]+", "]a"))
        // Named groups in both syntaxes; (?U) swaps greediness.
        #expect(try RelabelRegex("(?P<x>a)(?<y>b)").match("ab")?.group(named: "y") == "b")
        #expect(try RelabelRegex("(?U)(a+)(a*)").match("aaa")?.group(1) == "a")
    }

    @Test(
        "Go's error texts",
        arguments: [
            // Prometheus compiles ^(?:REGEX)$, and Go's message shows that.
            ("a(", "missing closing ): `^(?:a()$`"),
            ("a))", "unexpected ): `^(?:a)))$`"),
            ("[a", "missing closing ]: `[a)$`"),
            ("\\Q.*", "missing closing ): `^(?:\\Q.*)$`"),
            ("a**", "invalid nested repetition operator: `**`"),
            ("a+*?", "invalid nested repetition operator: `+*?`"),
            ("*a", "missing argument to repetition operator: `*`"),
            ("a{1001}", "invalid repeat count: `{1001}`"),
            ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
            ("(?<=a)", "invalid named capture: `(?<=a))$`"),
            ("(?P<a-b>c)", "invalid named capture: `(?P<a-b>`"),
            ("\\1", "invalid escape sequence: `\\1`"),
            ("\\h", "invalid escape sequence: `\\h`"),
            ("\\", "missing closing ): `^(?:\\)$`"),
            ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
            ("[b-a]", "invalid character class range: `b-a`"),
            ("\\x{110000}", "invalid escape sequence: `\\x{110000`"),
        ])
    func errorTexts(pattern: String, message: String) {
        do {
            _ = try RelabelRegex(pattern)
            Issue.record("\(pattern) compiled")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test("MD5 gives RFC 1321's test digests")
    func md5() {
        let vectors = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"), ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"), ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            (
                "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a"
            ),
        ]
        for (input, digest) in vectors {
            let hex = MD5.digest(input.utf8).map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }
            #expect(hex.joined() == digest, "MD5(\(input))")
        }
        // Lengths around the 56-byte padding boundary.
        #expect(MD5.digest(Array(repeating: UInt8(ascii: "a"), count: 55)).count == 16)
    }

    @Test("Go-style case mapping keeps one character per character")
    func caseMapping() {
        #expect(CaseMapping.uppercase("straße") == "STRAßE")
        #expect(CaseMapping.uppercase("ﬁx") == "ﬁX")
        #expect(CaseMapping.uppercase("ᾳ") == "ᾼ")
        #expect(CaseMapping.lowercase("İSTANBUL") == "istanbul")
        #expect(CaseMapping.lowercase("ΣΑΣ") == "σασ")
        #expect(CaseMapping.uppercase("ǆ") == "Ǆ")
        #expect(CaseMapping.lowercase("ABC") == "abc")
    }
}
