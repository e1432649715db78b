import Configuration
import Foundation
import PullServer
import TestSupport
import Testing

@Suite("web.config.yml (exporter-toolkit's web configuration) read strictly")
struct WebConfigFileTests {
    /// A well-formed bcrypt hash (of "test"); the reader checks the form only.
    static let hash = "$2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG"

    // MARK: Valid files

    @Test("a complete file: relative paths from the file's directory, every field read")
    func completeFile() throws {
        let files = try WebConfigTestFiles.make()
        defer { files.remove() }
        let path = try files.write(
            "web.yml",
            """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
              client_auth_type: RequireAndVerifyClientCert
              client_ca_file: client-ca.crt
              client_allowed_sans: [prometheus.example, "spiffe://cluster/prometheus"]
              min_version: TLS13
              max_version: TLS13
              cipher_suites:
                - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
                - TLS_AES_128_GCM_SHA256
              curve_preferences: [X25519, CurveP256]
              prefer_server_cipher_suites: false
            http_server_config:
              http2: false
              headers:
                X-Frame-Options: sameorigin
                Strict-Transport-Security: max-age=31536000
                X-XSS-Protection:
            basic_auth_users:
              alice: \(Self.hash)
              "bob smith": '\(Self.hash)'
            rate_limit:
              interval: 1m30s
              burst: 20

            """)
        let security = try WebConfigFile.load(path: path)
        let tls = try #require(security.tls)
        #expect(tls.certificate == .file(files.path("server.crt")))
        #expect(tls.privateKey == .file(files.path("server.key")))
        #expect(tls.clientCA == .file(files.path("client-ca.crt")))
        #expect(tls.clientCertificatePolicy == .requireAndVerifyClientCert)
        #expect(tls.clientAllowedSANs == ["prometheus.example", "spiffe://cluster/prometheus"])
        #expect(tls.minimumVersion == .tls13)
        #expect(tls.maximumVersion == .tls13)
        #expect(tls.cipherSuites.map(\.name) == ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"])
        #expect(tls.cipherSuites.map(\.codePoint) == [0xC02B, 0x1301])
        #expect(tls.curvePreferences == [.x25519, .p256])
        #expect(
            security.responseHeaders == [
                "X-Frame-Options": "sameorigin", "Strict-Transport-Security": "max-age=31536000",
            ])
        #expect(security.basicAuthUsers.keys.sorted() == ["alice", "bob smith"])
        #expect(security.basicAuthUsers["alice"]?.cost == 10)
        #expect(security.rateLimit == RequestRateLimit(interval: .seconds(90), burst: 20))
    }

    @Test("an empty file, and empty sections, turn nothing on")
    func emptyFiles() throws {
        for text in [
            "", "\n# only a comment\n", "tls_server_config:\nbasic_auth_users:\nhttp_server_config:\n",
            "tls_server_config: {}\nbasic_auth_users: {}\nrate_limit:\n  interval: 0\n  burst: 0\n",
        ] {
            let security = try WebConfigFile.parse(text, file: "web.yml", directory: "/nonexistent")
            #expect(security == .none, "\(text)")
        }
    }

    @Test("exporter-toolkit's own sample file reads as written")
    func sampleFile() throws {
        let files = try WebConfigTestFiles.make()
        defer { files.remove() }
        // docs/web-config.yml, with the certificate names of this test.
        let security = try WebConfigFile.parse(
            """
            # TLS and basic authentication configuration example.
            tls_server_config:
              cert_file: server.crt
              key_file: server.key

            basic_auth_users:
              alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze
              bob: $2y$10$hLqFl9jSjoAAy95Z/zw8Ye8wkdMBM8c5Bn1ptYqP/AXyV0.oy0S8m

            rate_limit:
              interval: "1s" # time interval between two requests, set to 0 to disable rate limiter
              burst: 20 # and permits a burst of up to 20 requests.
            """, file: "web-config.yml", directory: files.directory.path)
        #expect(security.tls?.certificate == .file(files.path("server.crt")))
        #expect(security.basicAuthUsers.count == 2)
        #expect(security.rateLimit == RequestRateLimit(interval: .seconds(1), burst: 20))
    }

    @Test("inline cert and key, and a relative web config path")
    func inlineAndRelativePath() throws {
        let files = try WebConfigTestFiles.make()
        defer { files.remove() }
        let certificate = try String(contentsOfFile: files.path("server.crt"), encoding: .utf8)
        let key = try String(contentsOfFile: files.path("server.key"), encoding: .utf8)
        func indented(_ text: String) -> String {
            text.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        }
        let security = try WebConfigFile.parse(
            "tls_server_config:\n  cert: |\n\(indented(certificate))\n  key: |\n\(indented(key))\n",
            file: "web.yml", directory: "/nonexistent")
        #expect(security.tls?.certificate == .inline(certificate))
        #expect(security.tls?.privateKey == .inline(key))

        // Relative to the file's directory even when that directory is itself relative
        // (to the working directory), as exporter-toolkit joins them; absolute paths stay.
        let relative = try WebConfigFile.parse(
            "tls_server_config:\n  cert_file: server.crt\n  key_file: /etc/ipvs-push/server.key\n",
            file: "conf/web.yml",
            directory: "conf", checkingFiles: false)
        #expect(relative.tls?.certificate == .file("conf/server.crt"))
        #expect(relative.tls?.privateKey == .file("/etc/ipvs-push/server.key"))
    }

    // MARK: Broken files

    /// Every problem of `text` read as `web.yml` in `directory`, as printed.
    private func problems(_ text: String, directory: String = "/nonexistent", checkingFiles: Bool = true) -> [String] {
        do {
            _ = try WebConfigFile.parse(text, file: "web.yml", directory: directory, checkingFiles: checkingFiles)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("unknown keys at every level, with the nearest known key")
    func unknownKeys() {
        #expect(
            problems("tls_server_config:\n  cert_filse: server.crt\n") == [
                "web.yml:2:3: unknown key \"cert_filse\" in tls_server_config: did you mean \"cert_file\"?"
            ])
        #expect(
            problems("basic_auth:\n  alice: x\n") == [
                "web.yml:1:1: unknown key \"basic_auth\" (known keys: tls_server_config, http_server_config, "
                    + "basic_auth_users, rate_limit)"
            ])
        #expect(
            problems("http_server_config:\n  http3: true\n") == [
                "web.yml:2:3: unknown key \"http3\" in http_server_config: did you mean \"http2\"?"
            ])
        #expect(
            problems("rate_limit:\n  interval: 1s\n  burst: 1\n  size: 3\n") == [
                "web.yml:4:3: unknown key \"size\" in rate_limit (known keys: interval, burst)"
            ])
    }

    @Test("values of the wrong type")
    func wrongTypes() {
        #expect(
            problems("- tls_server_config\n") == [
                "web.yml:1:1: the document must be a mapping of keys to values, not a list"
            ])
        #expect(
            problems("basic_auth_users: [alice, bob]\n") == [
                "web.yml:1:19: basic_auth_users must be a mapping of user names to bcrypt hashes, not a list"
            ])
        #expect(
            problems("tls_server_config:\n  cert_file: [a.crt]\n  key_file: a.key\n") == [
                "web.yml:2:14: tls_server_config.cert_file must be a text value, not a list"
            ])
        #expect(
            problems("http_server_config:\n  http2: maybe\n") == [
                "web.yml:2:10: http_server_config.http2 must be true or false, not text \"maybe\""
            ])
        #expect(
            problems("rate_limit:\n  interval: 1s\n  burst: lots\n") == [
                "web.yml:3:10: rate_limit.burst must be a whole number, not text \"lots\""
            ])
    }

    @Test("a certificate without its key, and the other way round")
    func missingKeyFile() {
        #expect(
            problems("tls_server_config:\n  cert_file: server.crt\n") == [
                "web.yml:2:3: tls_server_config needs key_file (or key): the private key of the server certificate"
            ])
        #expect(
            problems("tls_server_config:\n  key_file: server.key\n  min_version: TLS12\n") == [
                "web.yml:2:3: tls_server_config needs cert_file (or cert): the server certificate to present"
            ])
        #expect(
            problems(
                "tls_server_config:\n  cert_file: a.crt\n  cert: inline\n  key_file: a.key\n", checkingFiles: false)
                == ["web.yml:2:14: tls_server_config: set only one of cert and cert_file"])
        #expect(
            problems("tls_server_config:\n  cert_file: \"\"\n  key_file: a.key\n") == [
                "web.yml:2:14: tls_server_config.cert_file must not be empty"
            ])
    }

    @Test("malformed bcrypt hashes, and a user without one")
    func badHashes() {
        #expect(
            problems("basic_auth_users:\n  alice: secret\n") == [
                "web.yml:2:10: basic_auth_users.alice: it is not a bcrypt hash: it must start with $2a$, $2b$ or $2y$ "
                    + "(make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')"
            ])
        #expect(
            problems("basic_auth_users:\n  alice: \"\(Self.hash.dropLast(3))\"\n  bob:\n") == [
                "web.yml:2:10: basic_auth_users.alice: it has 50 characters after the cost where bcrypt has 53 "
                    + "(22 of salt, 31 of hash); was it cut or quoted wrongly? (make one with: htpasswd -nBC 10 \"\" "
                    + "| tr -d ':\\n')",
                "web.yml:3:7: basic_auth_users.bob needs the bcrypt hash of the user's password "
                    + "(make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')",
            ])
        #expect(
            problems("basic_auth_users:\n  alice: $2y$02$X0h1gDsPszWURQaxFh.zoubFi6DXncSjhoQNJgRrnGs7EsimhC7zG\n") == [
                "web.yml:2:10: basic_auth_users.alice: the cost 2 is outside bcrypt's range 4 to 31 (10 is usual)"
            ])
        // `$` needs no quoting in YAML, but a `#` after a space starts a comment: the cut
        // hash is reported, not taken as a password that never matches.
        #expect(
            problems("basic_auth_users:\n  alice: $2y$10$X0h1gDsPszWURQaxFh.zoubFi6DXnc #SjhoQNJgRrnGs7EsimhC7zG\n")
                .first?.hasPrefix("web.yml:2:10: basic_auth_users.alice: it has 30 characters after the cost") == true)
    }

    @Test("unknown names: client_auth_type, TLS versions, cipher suites, curves")
    func unknownNames() {
        #expect(
            problems(
                "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireClientCertificate\n")
                == [
                    "web.yml:4:21: tls_server_config.client_auth_type: \"RequireClientCertificate\" is not one of "
                        + "NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, "
                        + "RequireAndVerifyClientCert"
                ])
        #expect(
            problems("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: SSL30\n  max_version: TLS14\n")
                == [
                    "web.yml:4:16: tls_server_config.min_version: \"SSL30\" is not one of TLS10, TLS11, TLS12, TLS13",
                    "web.yml:5:16: tls_server_config.max_version: \"TLS14\" is not one of TLS10, TLS11, TLS12, TLS13",
                ])
        let suites = problems(
            "tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites:\n    - TLS_RSA_WITH_RC4_128_SHA\n")
        #expect(suites.count == 1)
        #expect(
            suites.first?.hasPrefix(
                "web.yml:5:7: tls_server_config.cipher_suites[0]: unknown name \"TLS_RSA_WITH_RC4_128_SHA\" (known: "
                    + "TLS_RSA_WITH_AES_128_CBC_SHA, ") == true)
        #expect(
            problems("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [X25519, P-256]\n") == [
                "web.yml:4:31: tls_server_config.curve_preferences[1]: unknown name \"P-256\" (known: CurveP256, "
                    + "CurveP384, CurveP521, X25519)"
            ])
    }

    @Test("TLS settings that cannot work together are reported at the key to change")
    func inconsistentTLS() {
        let base = "tls_server_config:\n  cert_file: a\n  key_file: b\n"
        #expect(
            problems(base + "  client_ca_file: ca.crt\n") == [
                "web.yml:4:19: tls_server_config.client_ca_file: a client CA is given but client_auth_type is "
                    + "NoClientCert, so no client certificate is asked for (set client_auth_type: "
                    + "RequireAndVerifyClientCert, or remove the client CA)"
            ])
        #expect(
            problems(base + "  client_auth_type: RequireAndVerifyClientCert\n") == [
                "web.yml:4:21: tls_server_config.client_auth_type: client_auth_type RequireAndVerifyClientCert "
                    + "verifies client certificates but no client CA is given (set client_ca_file to the CA that "
                    + "signs the client certificates)"
            ])
        #expect(
            problems(base + "  max_version: TLS11\n") == [
                "web.yml:4:16: tls_server_config.max_version: min_version TLS12 is above max_version TLS11"
            ])
    }

    @Test("headers exporter-toolkit does not allow, or with a value it does not allow")
    func badHeaders() {
        #expect(
            problems("http_server_config:\n  headers:\n    Server: ipvs-push\n") == [
                "web.yml:3:5: unknown key \"Server\" in http_server_config.headers (known keys: "
                    + "Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, "
                    + "X-XSS-Protection)"
            ])
        #expect(
            problems("http_server_config:\n  headers:\n    X-Frame-Options: DENY\n    X-Content-Type-Options: sniff\n")
                == [
                    "web.yml:3:22: http_server_config.headers.X-Frame-Options: X-Frame-Options must be \"deny\" or "
                        + "\"sameorigin\", not \"DENY\"",
                    "web.yml:4:29: http_server_config.headers.X-Content-Type-Options: X-Content-Type-Options must be "
                        + "\"nosniff\", not \"sniff\"",
                ])
    }

    @Test("rate_limit: Go durations only, and a burst with a non-zero interval")
    func badRateLimit() {
        #expect(
            problems("rate_limit:\n  interval: 1 second\n  burst: 3\n") == [
                "web.yml:2:13: rate_limit.interval: \"1 second\" is not a duration: write a number with a unit "
                    + "(ns, us, ms, s, m, h), e.g. 1s or 1m30s; 0 turns the limit off"
            ])
        #expect(
            problems("rate_limit:\n  interval: 1d\n  burst: 3\n").first?.hasPrefix(
                "web.yml:2:13: rate_limit.interval: \"1d\" is not a duration") == true)
        #expect(
            problems("rate_limit:\n  interval: 250ms\n") == [
                "web.yml:2:3: rate_limit needs burst: how many requests may come at once (0 would refuse every request)"
            ])
        #expect(
            problems("rate_limit:\n  interval: 1s\n  burst: -1\n") == [
                "web.yml:3:10: rate_limit.burst must be between 0 and 2147483647, not -1"
            ])
    }

    @Test("certificate files are loaded: a missing file, a swapped pair and a foreign key are reported at their key")
    func unusableFiles() throws {
        let files = try WebConfigTestFiles.make()
        defer { files.remove() }
        let directory = files.directory.path
        #expect(
            problems("tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n", directory: directory)
                == [
                    "web.yml:2:14: tls_server_config.cert_file \(directory)/missing.crt: cannot open it: No such file or "
                        + "directory (check the path and that ipvs-push may read it; a relative path is relative to the "
                        + "web configuration file)"
                ])
        #expect(
            problems("tls_server_config:\n  cert_file: server.key\n  key_file: server.crt\n", directory: directory) == [
                "web.yml:2:14: tls_server_config.cert_file \(directory)/server.key: it holds a private key, not a "
                    + "certificate (are cert_file and key_file swapped?)"
            ])
        let foreign = problems(
            "tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n", directory: directory)
        #expect(foreign.count == 1)
        #expect(
            foreign.first?.hasPrefix(
                "web.yml:3:13: tls_server_config.key_file \(directory)/other.key: the private key does not belong to "
                    + "the certificate in \(directory)/server.crt") == true, "\(foreign)")
        // Without checking the files, the same file is accepted.
        #expect(
            problems("tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n", checkingFiles: false)
                .isEmpty)
    }

    @Test("every problem of a file is reported, in file order, and YAML syntax errors with their place")
    func accumulation() throws {
        #expect(
            problems(
                """
                tls_server_config:
                  cert_file: a.crt
                  client_auth_type: Sometimes
                basic_auth_users:
                  alice: plain
                rate_limit:
                  interval: soon
                  burst: 2
                extra: 1
                """) == [
                    "web.yml:2:3: tls_server_config needs key_file (or key): the private key of the server certificate",
                    "web.yml:3:21: tls_server_config.client_auth_type: \"Sometimes\" is not one of NoClientCert, "
                        + "RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert",
                    "web.yml:5:10: basic_auth_users.alice: it is not a bcrypt hash: it must start with $2a$, $2b$ or "
                        + "$2y$ (make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')",
                    "web.yml:7:13: rate_limit.interval: \"soon\" is not a duration: write a number with a unit "
                        + "(ns, us, ms, s, m, h), e.g. 1s or 1m30s; 0 turns the limit off",
                    "web.yml:9:1: unknown key \"extra\" (known keys: tls_server_config, http_server_config, "
                        + "basic_auth_users, rate_limit)",
                ])
        let syntax = problems("basic_auth_users:\n  alice: [unclosed\n")
        #expect(syntax.count == 1)
        #expect(syntax.first?.hasPrefix("web.yml:3:1: not valid YAML") == true, "\(syntax)")
        #expect(
            problems("basic_auth_users:\n  alice: \(Self.hash)\n  alice: \(Self.hash)\n").first?.contains(
                "duplicate key \"alice\"") == true)
        do {
            _ = try WebConfigFile.load(path: "/nonexistent/web.yml")
            Issue.record("a missing file was read")
        } catch {
            #expect(error.description.hasPrefix("/nonexistent/web.yml: cannot read the file"), "\(error)")
        }
    }

    @Test("Go durations as time.ParseDuration reads them")
    func goDurations() throws {
        let files = try WebConfigTestFiles.make()
        defer { files.remove() }
        for (text, expected) in [
            ("0", Duration.zero), ("1s", .seconds(1)), ("1m30s", .seconds(90)), ("1.5h", .seconds(5400)),
            ("300ms", .milliseconds(300)), ("2h45m", .seconds(9900)), ("10us", .microseconds(10)),
            ("10µs", .microseconds(10)), ("7ns", .nanoseconds(7)), (".5s", .milliseconds(500)),
        ] {
            let security = try WebConfigFile.parse(
                "rate_limit:\n  interval: \"\(text)\"\n  burst: 1\n", file: "web.yml", directory: files.directory.path)
            #expect(security.rateLimit?.interval == (expected == .zero ? nil : expected), "\(text)")
        }
        for text in ["1", "s", "1.s5", "1S", "-1s", "1h-5m", "1e3s", ""] {
            #expect(!problems("rate_limit:\n  interval: \"\(text)\"\n  burst: 1\n").isEmpty, "\(text) was accepted")
        }
    }

    // MARK: The file in use

    @Test("a loaded file serves HTTPS with basic auth and its headers")
    func servesWhatItSays() async throws {
        let files = try WebConfigTestFiles.make()
        defer { files.remove() }
        let hash = try WebConfigHash.make("scrape-password")
        let path = try files.write(
            "web.yml",
            """
            tls_server_config:
              cert_file: server.crt
              key_file: server.key
            http_server_config:
              headers:
                X-Content-Type-Options: nosniff
            basic_auth_users:
              prometheus: \(hash)

            """)
        let security = try WebConfigFile.load(path: path)
        let server = MetricsServer(
            configuration: MetricsServerConfiguration(
                listenAddress: "127.0.0.1:0", exposesSelfMetrics: false, security: security),
            source: ClosureMetricsSource { [] })
        let port = try await server.start()
        defer { Task { await server.shutdown() } }
        let url = "https://127.0.0.1:\(port)/metrics"
        let ca = ["--cacert", files.path("ca.crt")]
        #expect(try await WebConfigCurl.status(url, ca) == "401 nosniff")
        #expect(try await WebConfigCurl.status(url, ca + ["-u", "prometheus:scrape-password"]) == "200 nosniff")
        #expect(try await WebConfigCurl.status("http://127.0.0.1:\(port)/metrics", []) == "000 ")
        await server.shutdown()
    }
}
