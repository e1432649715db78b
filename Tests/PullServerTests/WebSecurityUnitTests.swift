import Foundation
import TestSupport
import Testing

@testable import PullServer

@Suite("Web security building blocks: bcrypt hashes, credentials, SHA-256, settings checks")
struct WebSecurityUnitTests {
    @Test("bcrypt hashes as htpasswd and Python make them are accepted, with their cost")
    func goodHashes() throws {
        for (text, cost) in [
            ("$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG", 10),
            ("$2b$04$aueYXUo5P1lK6p2NI0r8ae22odsPQL6bqA16uADk8kZpwuOPHdhKm", 4),
            ("$2a$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby", 12),
        ] {
            let hash = try BcryptHash(text)
            #expect(hash.cost == cost)
            #expect(hash.text == text)
            #expect(!"\(hash)".contains(text.dropFirst(7)), "description shows the hash")
        }
    }

    @Test("malformed bcrypt hashes are refused with the reason")
    func badHashes() {
        let cases: [(String, String)] = [
            ("secret", "it is not a bcrypt hash: it must start with $2a$, $2b$ or $2y$"),
            ("$6$salt$hash", "it is not a bcrypt hash: it must start with $2a$, $2b$ or $2y$"),
            ("$2y$1$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG", "the cost after $2y$ must be two digits"),
            ("$2y$03$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG", "the cost 3 is outside bcrypt's range"),
            ("$2y$32$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG", "the cost 32 is outside bcrypt's range"),
            ("$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7", "it has 51 characters after the cost"),
            ("$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7z!", "it contains '!'"),
        ]
        for (text, reason) in cases {
            #expect {
                _ = try BcryptHash(text)
            } throws: { error in
                "\(error)".hasPrefix(reason)
            }
        }
    }

    @Test("Authorization: Basic is parsed as Go parses it")
    func credentials() throws {
        func header(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }
        let plain = try #require(BasicAuthCredentials(authorization: header("alice:pass:with:colons")))
        #expect(plain.user == "alice")
        #expect(plain.password == Array("pass:with:colons".utf8))
        let empty = try #require(BasicAuthCredentials(authorization: header("bob:")))
        #expect(empty.password.isEmpty)
        #expect(BasicAuthCredentials(authorization: "BASIC " + Data("c:d".utf8).base64EncodedString())?.user == "c")
        #expect(BasicAuthCredentials(authorization: header("no colon")) == nil)
        #expect(BasicAuthCredentials(authorization: "Bearer " + Data("a:b".utf8).base64EncodedString()) == nil)
        #expect(BasicAuthCredentials(authorization: "Basic YWJj=ZA==") == nil)
        #expect(BasicAuthCredentials(authorization: "Basic YTpi") != nil)
        #expect(BasicAuthCredentials(authorization: "Basic YTpi=") == nil)
        #expect(BasicAuthCredentials(authorization: "Basic ") == nil)
    }

    @Test("SHA-256 matches the FIPS 180-4 examples and sha256sum")
    func sha256() async throws {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        for length in [55, 56, 63, 64, 65, 1000] {
            let input = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
            let result = try await ChildProcess.run("/usr/bin/sha256sum", [], stdin: input)
            let expected = String(decoding: result.standardOutput, as: UTF8.self).prefix(64)
            #expect(hex(SHA256.hash(Array(input))) == expected, "length \(length)")
        }
    }

    @Test("bcrypt check through libxcrypt: right and wrong passwords, NUL bytes, constant-time compare")
    func bcryptCheck() async throws {
        let hash = try await BcryptFixture.hash("correct horse")
        #expect(BasicAuthVerifier.bcryptMatches(password: Array("correct horse".utf8), hash: hash))
        #expect(!BasicAuthVerifier.bcryptMatches(password: Array("correct horsE".utf8), hash: hash))
        #expect(!BasicAuthVerifier.bcryptMatches(password: Array("correct horse".utf8) + [0], hash: hash))
        #expect(!BasicAuthVerifier.bcryptMatches(password: [], hash: hash))
        #expect(BasicAuthVerifier.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!BasicAuthVerifier.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!BasicAuthVerifier.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test("verified credentials are cached under a digest, refusals are not")
    func verifierCache() async throws {
        let hash = try BcryptHash(try await BcryptFixture.hash("pw"))
        let verifier = BasicAuthVerifier(users: ["u": hash])
        func header(_ text: String) -> String { "Basic " + Data(text.utf8).base64EncodedString() }
        #expect(await verifier.verify(authorization: header("u:wrong")) == .rejected(user: "u", knownUser: true))
        #expect(await verifier.verify(authorization: header("x:pw")) == .rejected(user: "x", knownUser: false))
        #expect(await verifier.verify(authorization: nil) == .noCredentials)
        #expect(await verifier.verify(authorization: "Basic !!") == .malformedCredentials)
        #expect(await verifier.verify(authorization: header("u:pw")) == .granted(user: "u"))
        #expect(await verifier.verify(authorization: header("u:pw")) == .granted(user: "u"))

        let cache = VerifiedCredentialCache()
        let key = cache.key(user: "u", storedHash: hash.text, password: Array("pw".utf8))
        #expect(key.count == 32)
        #expect(key != cache.key(user: "u", storedHash: hash.text, password: Array("pW".utf8)))
        #expect(key != cache.key(user: "u2", storedHash: hash.text, password: Array("pw".utf8)))
        #expect(key != VerifiedCredentialCache().key(user: "u", storedHash: hash.text, password: Array("pw".utf8)))
        for index in 0..<250 { cache.insert([UInt8(index & 0xFF), UInt8(index >> 8)]) }
        #expect(cache.count <= VerifiedCredentialCache.capacity)
        cache.insert(key)
        #expect(cache.contains(key))
    }

    @Test("the rate limiter follows Go's token bucket")
    func rateLimiter() {
        let start = ContinuousClock.now
        let limiter = RequestRateLimiter(RequestRateLimit(interval: .seconds(1), burst: 2), now: start)
        #expect(limiter.allow(now: start))
        #expect(limiter.allow(now: start))
        #expect(!limiter.allow(now: start))
        #expect(!limiter.allow(now: start + .milliseconds(500)))
        #expect(limiter.allow(now: start + .milliseconds(1000)))
        #expect(!limiter.allow(now: start + .milliseconds(1000)))
        #expect(limiter.allow(now: start + .seconds(10)))
        #expect(limiter.allow(now: start + .seconds(10)))
        #expect(!limiter.allow(now: start + .seconds(10)))
        let closed = RequestRateLimiter(RequestRateLimit(interval: .seconds(1), burst: 0), now: start)
        #expect(!closed.allow(now: start + .seconds(100)))
    }

    @Test("IP subject alternative names are written as Go writes them")
    func ipText() {
        #expect(ClientSANCheckHandler.ipText([127, 0, 0, 1]) == "127.0.0.1")
        #expect(ClientSANCheckHandler.ipText([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 2, 3]) == "10.1.2.3")
        #expect(
            ClientSANCheckHandler.ipText([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])
                == "2001:db8::1")
        #expect(ClientSANCheckHandler.ipText([1, 2, 3]) == nil)
    }

    @Test("TLS settings that cannot work together are named with their key")
    func settingsProblems() {
        var settings = TLSServerSettings(certificate: .file("c"), privateKey: .file("k"))
        #expect(settings.problems.isEmpty)
        settings.clientCA = .file("ca")
        #expect(settings.problems == [.clientCAWithoutClientAuthentication])
        settings.clientCA = nil
        settings.clientCertificatePolicy = .requireAndVerifyClientCert
        #expect(settings.problems == [.clientAuthenticationWithoutClientCA(.requireAndVerifyClientCert)])
        settings.clientCA = .inline("pem")
        settings.clientAllowedSANs = ["a"]
        #expect(settings.problems.isEmpty)
        settings.clientCertificatePolicy = .verifyClientCertIfGiven
        #expect(settings.problems == [.allowedSANsWithoutRequiredCertificate(.verifyClientCertIfGiven)])
        settings = TLSServerSettings(
            certificate: .file("c"), privateKey: .file("k"), minimumVersion: .tls13, maximumVersion: .tls12)
        #expect(settings.problems.map(\.key) == ["min_version"])
        settings = TLSServerSettings(
            certificate: .file("c"), privateKey: .file("k"),
            cipherSuites: [TLSCipherSuite(name: "TLS_AES_128_GCM_SHA256")!])
        #expect(settings.problems == [.onlyTLS13CipherSuites])
        settings.minimumVersion = .tls13
        #expect(settings.problems.isEmpty)
    }

    @Test("only exporter-toolkit's response headers, with their allowed values")
    func headerRules() {
        #expect(WebSecurity.responseHeaderProblem(name: "X-Frame-Options", value: "deny") == nil)
        #expect(WebSecurity.responseHeaderProblem(name: "X-Frame-Options", value: "") == nil)
        #expect(
            WebSecurity.responseHeaderProblem(name: "X-Frame-Options", value: "allow")
                == "X-Frame-Options must be \"deny\" or \"sameorigin\", not \"allow\"")
        #expect(
            WebSecurity.responseHeaderProblem(name: "Server", value: "x")
                == "the header Server cannot be configured (allowed: Content-Security-Policy, Strict-Transport-Security, "
                + "X-Content-Type-Options, X-Frame-Options, X-XSS-Protection)")
        #expect(
            WebSecurity.responseHeaderProblem(name: "Content-Security-Policy", value: "a\r\nSet-Cookie: x")
                == "the value of Content-Security-Policy must be one line without control characters")
    }

    @Test("client_auth_type names, the old RequireClientCert alias and the empty default")
    func policyNames() {
        #expect(ClientCertificatePolicy(exporterToolkitName: "") == .noClientCert)
        #expect(ClientCertificatePolicy(exporterToolkitName: "RequireClientCert") == .requireAnyClientCert)
        for policy in ClientCertificatePolicy.allCases {
            #expect(ClientCertificatePolicy(exporterToolkitName: policy.rawValue) == policy)
        }
        #expect(ClientCertificatePolicy(exporterToolkitName: "requireandverifyclientcert") == nil)
    }
}
