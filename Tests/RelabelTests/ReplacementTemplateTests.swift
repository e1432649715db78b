import Testing

@testable import Relabel

@Suite("Replacement templates expand like Go's regexp.Expand")
struct ReplacementTemplateTests {
    /// Expands `template` against the whole match of `regex` on `text`.
    private func expand(_ template: String, _ regex: String, _ text: String) throws -> String {
        let compiled = try RelabelRegex(regex)
        let match = try #require(compiled.match(text), "\(regex) does not match \(text)")
        return ReplacementTemplate(template).expand(match)
    }

    @Test(
        "References and literals",
        arguments: [
            ("$1", "(a)(b)", "ab", "a"),
            ("${1}", "(a)(b)", "ab", "a"),
            ("$2$1", "(a)(b)", "ab", "ba"),
            ("${2}x", "(a)(b)", "ab", "bx"),
            // $1x is the group named "1x", which does not exist: empty.
            ("$1x", "(a)(b)", "ab", ""),
            ("$1_", "(a)(b)", "ab", ""),
            ("$1-", "(a)(b)", "ab", "a-"),
            ("$0", "(a)(b)", "ab", "ab"),
            ("$$1", "(a)(b)", "ab", "$1"),
            ("$$", "(a)", "a", "$"),
            ("a$", "(a)", "a", "a$"),
            ("$", "(a)", "a", "$"),
            ("${", "(a)", "a", "${"),
            ("${}", "(a)", "a", "${}"),
            ("${1", "(a)", "a", "${1"),
            ("$-1", "(a)", "a", "$-1"),
            ("${1}}", "(a)", "a", "a}"),
            // A group that does not exist or did not take part expands to nothing.
            ("[$3]", "(a)(b)", "ab", "[]"),
            ("[$2]", "(a)(b)?", "a", "[]"),
            // $10 is group 10, not group 1 followed by 0.
            ("$10", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)", "abcdefghij", "j"),
            ("${1}0", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)", "abcdefghij", "a0"),
            // Leading zeros make a name, not a number.
            ("$01", "(a)", "a", ""),
            ("$00", "(a)", "a", ""),
            // Named groups, both syntaxes, braced and not.
            ("$host:${port}", "(?P<host>[^:]+):(?<port>\\d+)", "h:80", "h:80"),
            ("$host_x", "(?P<host>[^:]+):(?<port>\\d+)", "h:80", ""),
            ("${host}_x", "(?P<host>[^:]+):(?<port>\\d+)", "h:80", "h_x"),
            // Unicode letters belong to names.
            ("$1é", "(a)", "a", ""),
            ("${1}é", "(a)", "a", "aé"),
            ("no references", "(a)", "a", "no references"),
            ("", "(a)", "a", ""),
        ])
    func expansion(template: String, regex: String, text: String, expected: String) throws {
        #expect(try expand(template, regex, text) == expected)
    }

    @Test("The first named group that took part wins, as in Go")
    func duplicateAlternatives() throws {
        #expect(try expand("$1|$2", "(a)|(b)", "b") == "|b")
    }

    @Test("Constant templates are recognised once")
    func constants() {
        #expect(ReplacementTemplate("plain").constant == "plain")
        #expect(ReplacementTemplate("a$$b").constant == "a$b")
        #expect(ReplacementTemplate("$").constant == "$")
        #expect(ReplacementTemplate("$1").constant == nil)
        #expect(ReplacementTemplate("x${name}").pieces == [.text("x"), .name("name")])
        #expect(ReplacementTemplate("$123456789").pieces == [.number(123_456_789)])
        #expect(ReplacementTemplate("$1234567890").pieces == [.name("1234567890")])
    }
}
