import Exposition
import Foundation
import Logging
import PullServer
import TestSupport
import Testing

/// The pull server behind exporter-toolkit's web configuration: real certificates made by
/// openssl, bcrypt hashes made by Python's crypt, curl and Prometheus 2.42 as clients.
@Suite("Pull server with TLS, basic authentication and the other web.config.yml settings")
struct WebSecurityTests {
    static let password = "s3cret-Pa55word-for-tests"

    // MARK: TLS

    @Test("with TLS the listener speaks only TLS: plain HTTP is disconnected, HTTPS with the CA works")
    func tlsRequired() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        try await withSecureServer(WebSecurity(tls: serverTLS(fixtures))) { port, _ async throws in
            let plain = try await Curl.run("http://127.0.0.1:\(port)/metrics")
            #expect(plain.exitCode != 0, "plain HTTP got an answer: \(plain.status) \(plain.text)")
            #expect(plain.status == 0)

            let untrusted = try await Curl.run("https://127.0.0.1:\(port)/metrics")
            #expect(untrusted.exitCode == 60, "curl without the CA should fail verification (60)")

            let secure = try await Curl.run("https://127.0.0.1:\(port)/metrics", ["--cacert", fixtures.serverCA])
            #expect(secure.exitCode == 0)
            #expect(secure.status == 200)
            #expect(Array(secure.body) == ExpositionFormat.prometheus.expectedBody())

            let landing = try await Curl.run("https://localhost:\(port)/", ["--cacert", fixtures.serverCA])
            #expect(landing.status == 200)
            #expect(landing.text.contains("<a href=\"/metrics\">"))
        }
    }

    @Test("min_version and max_version bound the TLS versions a client may use")
    func tlsVersions() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        var only12 = serverTLS(fixtures)
        only12.maximumVersion = .tls12
        try await withSecureServer(WebSecurity(tls: only12)) { port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            let tls12 = try await Curl.run(url, ["--cacert", fixtures.serverCA, "-w", "%{http_version}"])
            #expect(tls12.status == 200)
            let tls13 = try await Curl.run(url, ["--cacert", fixtures.serverCA, "--tlsv1.3"])
            #expect(tls13.exitCode != 0, "TLS 1.3 was accepted by a server limited to TLS 1.2")
        }
        var only13 = serverTLS(fixtures)
        only13.minimumVersion = .tls13
        try await withSecureServer(WebSecurity(tls: only13)) { port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            let tls12 = try await Curl.run(url, ["--cacert", fixtures.serverCA, "--tls-max", "1.2"])
            #expect(tls12.exitCode != 0, "TLS 1.2 was accepted by a server requiring TLS 1.3")
            let tls13 = try await Curl.run(url, ["--cacert", fixtures.serverCA, "--tlsv1.3"])
            #expect(tls13.status == 200)
        }
    }

    @Test("cipher_suites and curve_preferences restrict what TLS 1.2 negotiates")
    func cipherSuitesAndCurves() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        var tls = serverTLS(fixtures)
        tls.maximumVersion = .tls12
        tls.cipherSuites = [try #require(TLSCipherSuite(name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"))]
        tls.curvePreferences = [.p384]
        try await withSecureServer(WebSecurity(tls: tls)) { port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            // The client also offers P-256, the curve of the server's key: TLS 1.2 lets a client
            // limit the certificate's curve with the same list.
            let allowed = try await Curl.run(
                url,
                [
                    "--cacert", fixtures.serverCA, "--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384", "--curves",
                    "P-384:P-256",
                ])
            #expect(allowed.status == 200)
            let otherSuite = try await Curl.run(
                url, ["--cacert", fixtures.serverCA, "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256"])
            #expect(otherSuite.exitCode != 0, "a suite left out of cipher_suites was negotiated")
            let otherCurve = try await Curl.run(url, ["--cacert", fixtures.serverCA, "--curves", "X25519:P-256"])
            #expect(otherCurve.exitCode != 0, "a curve left out of curve_preferences was negotiated")
        }
    }

    // MARK: Basic authentication

    @Test("basic auth: no credentials, a wrong password and an unknown user get the same 401; the right ones 200")
    func basicAuthentication() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        let users = [
            "prometheus": try BcryptHash(try await BcryptFixture.hash(Self.password)),
            "other": try BcryptHash(try await BcryptFixture.hash("another password")),
        ]
        try await withSecureServer(WebSecurity(tls: serverTLS(fixtures), basicAuthUsers: users)) {
            port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            let ca = ["--cacert", fixtures.serverCA]

            let anonymous = try await Curl.run(url, ca)
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["www-authenticate"] == "Basic")
            #expect(anonymous.text == "Unauthorized\n")

            let wrongPassword = try await Curl.run(url, ca + ["-u", "prometheus:wrong"])
            let unknownUser = try await Curl.run(url, ca + ["-u", "nobody:\(Self.password)"])
            let otherUsersPassword = try await Curl.run(url, ca + ["-u", "prometheus:another password"])
            for refused in [wrongPassword, unknownUser, otherUsersPassword] {
                #expect(refused.status == 401)
                #expect(refused.headers["www-authenticate"] == "Basic")
                #expect(refused.body == anonymous.body)
                #expect(refused.headers.keys.sorted() == anonymous.headers.keys.sorted())
            }

            let malformed = try await Curl.run(url, ca + ["-H", "Authorization: Basic not-base64!"])
            #expect(malformed.status == 401)
            let otherScheme = try await Curl.run(url, ca + ["-H", "Authorization: Bearer abc"])
            #expect(otherScheme.status == 401)

            let granted = try await Curl.run(url, ca + ["-u", "prometheus:\(Self.password)"])
            #expect(granted.status == 200)
            #expect(Array(granted.body) == ExpositionFormat.prometheus.expectedBody())
            // Again: now from the cache of verified credentials, with the same answer.
            let again = try await Curl.run(url, ca + ["-u", "prometheus:\(Self.password)"])
            #expect(again.status == 200)
            // The scheme name in any case, as Go accepts it.
            let token = Data("other:another password".utf8).base64EncodedString()
            let lowercase = try await Curl.run(url, ca + ["-H", "Authorization: basic \(token)"])
            #expect(lowercase.status == 200)

            // The landing page too, and HEAD requests.
            let landing = try await Curl.run("https://127.0.0.1:\(port)/", ca)
            #expect(landing.status == 401)
            let landingGranted = try await Curl.run(
                "https://127.0.0.1:\(port)/", ca + ["-u", "other:another password"])
            #expect(landingGranted.status == 200)
            let head = try await Curl.run(url, ca + ["-I"])
            #expect(head.status == 401)
        }
    }

    @Test("a refused request leaves a keep-alive connection usable for the next one")
    func keepAliveAfterRefusal() async throws {
        let users = ["prometheus": try BcryptHash(try await BcryptFixture.hash(Self.password))]
        try await withSecureServer(WebSecurity(basicAuthUsers: users)) { port, _ async throws in
            let url = "http://127.0.0.1:\(port)/metrics"
            // Two requests on one connection: the first refused, the second (after --next,
            // with credentials) granted without a new connection.
            let response = try await Curl.run(
                url,
                [
                    "-w", "%{http_code} %{num_connects} ", url, "--next", "-o", "/dev/null",
                    "-u", "prometheus:\(Self.password)", "-w", "%{http_code} %{num_connects}",
                ])
            #expect(response.writeOut == "401 1 200 0", "write-out: \(response.writeOut)")
        }
    }

    @Test("basic auth without TLS works too (plain HTTP, as exporter-toolkit allows)")
    func basicAuthWithoutTLS() async throws {
        let users = ["prometheus": try BcryptHash(try await BcryptFixture.hash(Self.password))]
        try await withSecureServer(WebSecurity(basicAuthUsers: users)) { port, _ async throws in
            let url = "http://127.0.0.1:\(port)/metrics"
            #expect(try await Curl.run(url).status == 401)
            #expect(try await Curl.run(url, ["-u", "prometheus:\(Self.password)"]).status == 200)
        }
    }

    @Test("failed logins are logged at debug with user and reason, never with the password")
    func passwordNeverLogged() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        let users = ["prometheus": try BcryptHash(try await BcryptFixture.hash(Self.password))]
        let capture = LogCapture()
        let wrong = "wrong-\(Self.password)"
        try await withSecureServer(
            WebSecurity(tls: serverTLS(fixtures), basicAuthUsers: users), logger: capture.logger()
        ) { port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            let ca = ["--cacert", fixtures.serverCA]
            _ = try await Curl.run(url, ca + ["-u", "prometheus:\(wrong)"])
            _ = try await Curl.run(url, ca + ["-u", "mallory:\(Self.password)"])
            _ = try await Curl.run(url, ca)
            #expect(try await Curl.run(url, ca + ["-u", "prometheus:\(Self.password)"]).status == 200)
        }
        let lines = capture.lines
        #expect(capture.contains(.debug, "basic authentication failed"))
        #expect(lines.contains { $0.contains("auth.reason=wrong password") && $0.contains("auth.user=prometheus") })
        #expect(lines.contains { $0.contains("auth.reason=unknown user") && $0.contains("auth.user=mallory") })
        #expect(lines.contains { $0.contains("auth.reason=no credentials") })
        let token = Data("prometheus:\(Self.password)".utf8).base64EncodedString()
        for line in lines {
            #expect(!line.contains(Self.password), "password logged: \(line)")
            #expect(!line.contains(token), "credentials logged: \(line)")
        }
    }

    @Test("real bcrypt cost 10 hashes as htpasswd makes them verify, $2y$ included")
    func realCostHash() async throws {
        let hash = try await BcryptFixture.hash(Self.password, cost: 10)
        // htpasswd writes $2y$; the same hash with that prefix must verify.
        let asHtpasswd = "$2y$" + hash.dropFirst(4)
        let users = ["a": try BcryptHash(hash), "b": try BcryptHash(asHtpasswd)]
        try await withSecureServer(WebSecurity(basicAuthUsers: users)) { port, _ async throws in
            let url = "http://127.0.0.1:\(port)/metrics"
            #expect(try await Curl.run(url, ["-u", "a:\(Self.password)"]).status == 200)
            #expect(try await Curl.run(url, ["-u", "b:\(Self.password)"]).status == 200)
            #expect(try await Curl.run(url, ["-u", "b:\(Self.password)x"]).status == 401)
        }
    }

    // MARK: Prometheus

    @Test("Prometheus 2.42 scrapes over HTTPS with tls_config.ca_file and basic_auth: up == 1")
    func prometheusScrapesSecurely() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        let users = ["prometheus": try BcryptHash(try await BcryptFixture.hash(Self.password))]
        let passwordFile = fixtures.path("scrape-password")
        try Self.password.write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try await withSecureServer(WebSecurity(tls: serverTLS(fixtures), basicAuthUsers: users)) {
            port, _ async throws in
            let prometheus = try await ExternalServer.prometheus(
                scrapeConfig: """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: secured
                        scheme: https
                        tls_config:
                          ca_file: \(fixtures.serverCA)
                        basic_auth:
                          username: prometheus
                          password_file: \(passwordFile)
                        static_configs:
                          - targets: ["127.0.0.1:\(port)"]
                      - job_name: wrong-password
                        scheme: https
                        tls_config:
                          ca_file: \(fixtures.serverCA)
                        basic_auth:
                          username: prometheus
                          password: not-the-password
                        static_configs:
                          - targets: ["127.0.0.1:\(port)"]
                      - job_name: plain-http
                        static_configs:
                          - targets: ["127.0.0.1:\(port)"]

                    """)
            defer { prometheus.stop() }
            _ = try await waitForQuery(prometheus, "up{job=\"secured\"} == 1")
            let stored = try await waitForQuery(prometheus, "ipvs_test_connections_total{job=\"secured\"}")
            #expect(stored.count == 2)
            // The other two jobs are scraped too, and fail.
            _ = try await waitForQuery(prometheus, "up{job=\"wrong-password\"} == 0")
            _ = try await waitForQuery(prometheus, "up{job=\"plain-http\"} == 0")
            let leaked = try await Self.instantQuery(prometheus, "ipvs_test_connections_total{job!=\"secured\"}")
            #expect(leaked.isEmpty)
        }
    }

    // MARK: Client certificates

    @Test("RequireAndVerifyClientCert: no client certificate or one from another CA is refused, ours works")
    func mutualTLS() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        var tls = serverTLS(fixtures)
        tls.clientCertificatePolicy = .requireAndVerifyClientCert
        tls.clientCA = .file(fixtures.clientCA)
        try await withSecureServer(WebSecurity(tls: tls)) { port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            let ca = ["--cacert", fixtures.serverCA]
            let without = try await Curl.run(url, ca)
            #expect(without.status == 0, "answered without a client certificate: \(without.status)")
            #expect(without.exitCode != 0)
            let stranger = try await Curl.run(
                url, ca + ["--cert", fixtures.strangerCertificate, "--key", fixtures.strangerKey])
            #expect(stranger.status == 0, "answered a certificate from an untrusted CA: \(stranger.status)")
            let with = try await Curl.run(
                url, ca + ["--cert", fixtures.clientCertificate, "--key", fixtures.clientKey])
            #expect(with.status == 200)
            #expect(Array(with.body) == ExpositionFormat.prometheus.expectedBody())
        }
    }

    @Test("VerifyClientCertIfGiven: no certificate is fine, an untrusted one is refused")
    func optionalClientCertificate() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        var tls = serverTLS(fixtures)
        tls.clientCertificatePolicy = .verifyClientCertIfGiven
        tls.clientCA = .file(fixtures.clientCA)
        try await withSecureServer(WebSecurity(tls: tls)) { port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            let ca = ["--cacert", fixtures.serverCA]
            #expect(try await Curl.run(url, ca).status == 200)
            let ours = try await Curl.run(
                url, ca + ["--cert", fixtures.clientCertificate, "--key", fixtures.clientKey])
            #expect(ours.status == 200)
            let stranger = try await Curl.run(
                url, ca + ["--cert", fixtures.strangerCertificate, "--key", fixtures.strangerKey])
            #expect(stranger.status == 0)
        }
    }

    @Test("RequireAnyClientCert takes any certificate but none is refused")
    func anyClientCertificate() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        var tls = serverTLS(fixtures)
        tls.clientCertificatePolicy = .requireAnyClientCert
        try await withSecureServer(WebSecurity(tls: tls)) { port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            let ca = ["--cacert", fixtures.serverCA]
            #expect(try await Curl.run(url, ca).status == 0)
            let stranger = try await Curl.run(
                url, ca + ["--cert", fixtures.strangerCertificate, "--key", fixtures.strangerKey])
            #expect(stranger.status == 200)
        }
    }

    @Test("client_allowed_sans: a verified certificate without a listed name gets no answer")
    func allowedSANs() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        for allowed in [["prometheus.test"], ["spiffe://test/prometheus"], ["one", "prometheus.test", "two"]] {
            var tls = serverTLS(fixtures)
            tls.clientCertificatePolicy = .requireAndVerifyClientCert
            tls.clientCA = .file(fixtures.clientCA)
            tls.clientAllowedSANs = allowed
            let capture = LogCapture()
            try await withSecureServer(WebSecurity(tls: tls), logger: capture.logger()) { port, _ async throws in
                let url = "https://127.0.0.1:\(port)/metrics"
                let ca = ["--cacert", fixtures.serverCA]
                let listed = try await Curl.run(
                    url, ca + ["--cert", fixtures.clientCertificate, "--key", fixtures.clientKey])
                #expect(listed.status == 200, "allowed \(allowed)")
                let unlisted = try await Curl.run(
                    url, ca + ["--cert", fixtures.otherClientCertificate, "--key", fixtures.otherClientKey])
                #expect(unlisted.status == 0, "allowed \(allowed): answered \(unlisted.status)")
            }
            #expect(capture.lines.contains { $0.contains("client.sans=intruder.test") })
        }
    }

    // MARK: Headers and rate limit

    @Test("http_server_config.headers are on every response, refusals included")
    func responseHeaders() async throws {
        let users = ["prometheus": try BcryptHash(try await BcryptFixture.hash(Self.password))]
        let headers = [
            "X-Frame-Options": "deny", "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
            "Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff",
            "X-XSS-Protection": "",
        ]
        try await withSecureServer(WebSecurity(basicAuthUsers: users, responseHeaders: headers)) {
            port, _ async throws in
            let base = "http://127.0.0.1:\(port)"
            for response in [
                try await Curl.run(base + "/metrics", ["-u", "prometheus:\(Self.password)"]),
                try await Curl.run(base + "/", ["-u", "prometheus:\(Self.password)"]),
                try await Curl.run(base + "/metrics"),
                try await Curl.run(base + "/nothing", ["-u", "prometheus:\(Self.password)"]),
            ] {
                #expect(response.headers["x-frame-options"] == "deny")
                #expect(response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains")
                #expect(response.headers["content-security-policy"] == "default-src 'self'")
                #expect(response.headers["x-content-type-options"] == "nosniff")
                #expect(response.headers["x-xss-protection"] == nil, "blank means unset")
            }
        }
    }

    @Test("rate_limit: the burst is served, the next request gets 429 before authentication")
    func rateLimit() async throws {
        let users = ["prometheus": try BcryptHash(try await BcryptFixture.hash(Self.password))]
        let limit = RequestRateLimit(interval: .seconds(3600), burst: 2)
        try await withSecureServer(WebSecurity(basicAuthUsers: users, rateLimit: limit)) { port, _ async throws in
            let url = "http://127.0.0.1:\(port)/metrics"
            #expect(try await Curl.run(url, ["-u", "prometheus:\(Self.password)"]).status == 200)
            #expect(try await Curl.run(url).status == 401)
            let limited = try await Curl.run(url, ["-u", "prometheus:\(Self.password)"])
            #expect(limited.status == 429)
            #expect(limited.text == "Too Many Requests\n")
        }
    }

    // MARK: Reloading

    @Test("changed certificate files are used by the next connection; broken ones leave the old in use")
    func certificateFilesReloaded() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        let capture = LogCapture()
        try await withSecureServer(WebSecurity(tls: serverTLS(fixtures)), logger: capture.logger()) {
            port, _ async throws in
            let url = "https://127.0.0.1:\(port)/metrics"
            #expect(try await Curl.run(url, ["--cacert", fixtures.serverCA]).status == 200)

            // A renewed certificate from a new CA, written over the old files.
            try await fixtures.makeCA("new-ca", commonName: "renewed CA")
            try await fixtures.issue(
                "new-server", by: "new-ca", commonName: "localhost", sans: "IP:127.0.0.1", usage: "serverAuth")
            try replace(fixtures.serverCertificate, with: fixtures.path("new-server.crt"))
            try replace(fixtures.serverKey, with: fixtures.path("new-server.key"))
            #expect(try await Curl.run(url, ["--cacert", fixtures.path("new-ca.crt")]).status == 200)
            #expect(try await Curl.run(url, ["--cacert", fixtures.serverCA]).exitCode == 60)

            // A certificate whose key has not arrived yet: the previous pair stays in use.
            try replace(fixtures.serverCertificate, with: fixtures.path("client.crt"))
            #expect(try await Curl.run(url, ["--cacert", fixtures.path("new-ca.crt")]).status == 200)
            #expect(try await Curl.run(url, ["--cacert", fixtures.path("new-ca.crt")]).status == 200)
        }
        #expect(capture.contains(.info, "TLS certificate files changed, loaded them again"))
        let warnings = capture.lines.filter { $0.hasPrefix("warning ") && $0.contains("cannot be loaded") }
        #expect(warnings.count == 1, "warned \(warnings.count) times: \(warnings)")
        #expect(warnings.first?.contains("does not belong to the certificate") == true)
    }

    @Test("reload(security:) replaces the users; turning TLS on or off is refused")
    func reloadSecurity() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        let first = ["prometheus": try BcryptHash(try await BcryptFixture.hash(Self.password))]
        let second = ["scraper": try BcryptHash(try await BcryptFixture.hash("new password"))]
        try await withSecureServer(WebSecurity(basicAuthUsers: first)) { port, server async throws in
            let url = "http://127.0.0.1:\(port)/metrics"
            #expect(try await Curl.run(url, ["-u", "prometheus:\(Self.password)"]).status == 200)
            try await server.reload(security: WebSecurity(basicAuthUsers: second))
            #expect(try await Curl.run(url, ["-u", "prometheus:\(Self.password)"]).status == 401)
            #expect(try await Curl.run(url, ["-u", "scraper:new password"]).status == 200)
            try await server.reload(security: .none)
            #expect(try await Curl.run(url).status == 200)

            await #expect(throws: MetricsServerError.tlsSwitchNeedsRestart(enabling: true)) {
                try await server.reload(security: WebSecurity(tls: serverTLS(fixtures)))
            }
            #expect(try await Curl.run(url).status == 200)
        }
    }

    // MARK: Startup errors

    @Test("unusable certificate material stops the start with the key, the file and the reason")
    func startupErrors() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        let missing = fixtures.path("missing.crt")
        var cases: [(TLSServerSettings, String)] = []
        var settings = serverTLS(fixtures)
        settings.certificate = .file(missing)
        cases.append(
            (
                settings,
                "tls_server_config cert_file \(missing): cannot open it: No such file or directory (check the path and "
                    + "that ipvs-push may read it; a relative path is relative to the web configuration file)"
            ))
        settings = serverTLS(fixtures)
        settings.certificate = .file(fixtures.serverKey)
        cases.append(
            (
                settings,
                "tls_server_config cert_file \(fixtures.serverKey): it holds a private key, not a certificate "
                    + "(are cert_file and key_file swapped?)"
            ))
        settings = serverTLS(fixtures)
        settings.privateKey = .file(fixtures.serverCertificate)
        cases.append(
            (
                settings,
                "tls_server_config key_file \(fixtures.serverCertificate): it holds a certificate, not a private key "
                    + "(are cert_file and key_file swapped?)"
            ))
        settings = serverTLS(fixtures)
        settings.privateKey = .file(fixtures.clientKey)
        cases.append(
            (
                settings,
                "tls_server_config key_file \(fixtures.clientKey): the private key does not belong to the certificate in "
                    + "\(fixtures.serverCertificate)"
            ))
        settings = serverTLS(fixtures)
        settings.privateKey = .inline("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
        cases.append((settings, "tls_server_config key (inline PEM): its PEM private key cannot be parsed"))
        settings = serverTLS(fixtures)
        settings.clientCA = .file(fixtures.clientCA)
        cases.append(
            (
                settings,
                "invalid tls_server_config: client_ca_file: a client CA is given but client_auth_type is "
                    + "NoClientCert"
            ))
        for (settings, expected) in cases {
            let server = MetricsServer(
                configuration: MetricsServerConfiguration(
                    listenAddress: "127.0.0.1:0", exposesSelfMetrics: false, security: WebSecurity(tls: settings)),
                source: StaticSource())
            do {
                try await server.start()
                Issue.record("started with \(settings)")
                await server.shutdown()
            } catch let error as MetricsServerError {
                #expect("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }

    @Test("inline cert and key work like files")
    func inlineMaterial() async throws {
        let fixtures = try await WebSecurityFixtures.make()
        defer { fixtures.remove() }
        let tls = TLSServerSettings(
            certificate: .inline(try String(contentsOfFile: fixtures.serverCertificate, encoding: .utf8)),
            privateKey: .inline(try String(contentsOfFile: fixtures.serverKey, encoding: .utf8)))
        try await withSecureServer(WebSecurity(tls: tls)) { port, _ async throws in
            #expect(
                try await Curl.run("https://127.0.0.1:\(port)/metrics", ["--cacert", fixtures.serverCA]).status == 200)
        }
    }

    // MARK: Helpers

    private func serverTLS(_ fixtures: WebSecurityFixtures) -> TLSServerSettings {
        TLSServerSettings(certificate: .file(fixtures.serverCertificate), privateKey: .file(fixtures.serverKey))
    }

    /// Writes `source`'s content over `target` by renaming a copy into place, as certificate
    /// tools do, and makes sure the modification time differs from the old file's.
    private func replace(_ target: String, with source: String) throws {
        let temporary = target + ".new"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        _ = rename(temporary, target)
    }

    private func withSecureServer(
        _ security: WebSecurity, logger: Logger = Logger(label: "test"),
        _ body: (_ port: Int, _ server: MetricsServer) async throws -> Void
    ) async throws {
        let configuration = MetricsServerConfiguration(
            listenAddress: "127.0.0.1:0", exposesSelfMetrics: false, security: security)
        let server = MetricsServer(configuration: configuration, source: StaticSource(), logger: logger)
        let port = try await server.start()
        do {
            try await body(port, server)
            await server.shutdown()
        } catch {
            await server.shutdown()
            throw error
        }
    }

    private func waitForQuery(
        _ prometheus: ExternalServer, _ query: String, deadline: Duration = .seconds(30)
    ) async throws -> [[String: Any]] {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        while clock.now < end {
            let result = try await Self.instantQuery(prometheus, query)
            if !result.isEmpty { return result }
            try await Task.sleep(for: .milliseconds(250))
        }
        let targets = try await TestHTTP.request(prometheus.baseURL + "/api/v1/targets")
        throw TestFailure("Prometheus has nothing for \(query) after \(deadline); targets: \(targets.text)")
    }

    private static func instantQuery(_ prometheus: ExternalServer, _ query: String) async throws -> [[String: Any]] {
        var components = URLComponents(string: prometheus.baseURL + "/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: query)]
        let response = try await TestHTTP.request(components.url!.absoluteString)
        guard response.status == 200,
            let root = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let data = root["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else {
            throw TestFailure("Prometheus query \(query) answered \(response.status): \(response.text)")
        }
        return result
    }
}
