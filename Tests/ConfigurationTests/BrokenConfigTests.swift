import Configuration
import Foundation
import Testing

/// Broken configuration files and the exact problems they get, each with the file, line
/// and column (`FILE` stands for the file's path): what `check-config` prints.
@Suite("broken configuration files: every problem, with its place")
struct BrokenConfigTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var yaml: String
        var expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "YAML syntax: a second colon in a plain value",
            yaml: """
                global:
                  interval: 15s
                remote_write:
                  - url: http://a.example:8428/api/v1/write
                    name: a: b
                """,
            expected: ["FILE:5:12: not valid YAML: mapping values are not allowed in this context"]),
        Case(
            name: "YAML syntax: indented with a tab",
            yaml: "global:\n\tinterval: 15s\n",
            expected: [
                "FILE:2:1: not valid YAML: found character that cannot start any token (while scanning for the next "
                    + "token): indent with spaces, not tabs"
            ]),
        Case(
            name: "YAML syntax: a quote never closed",
            yaml: """
                global:
                  interval: "15s
                """,
            expected: [
                "FILE:2:17: not valid YAML: found unexpected end of stream (while scanning a quoted scalar at 2:13)"
            ]),
        // Found by Fuzz/FuzzAgentConfig: libyaml put this problem on line 4 of a 3-line file.
        Case(
            name: "YAML syntax: a last line that is not a key, with no newline",
            yaml: """
                global:
                  interval: 15s
                foo
                """,
            expected: [
                "FILE:3:4: not valid YAML: could not find expected ':' (while scanning a simple key at 3:1)"
            ]),
        // Found by Fuzz/FuzzWebConfig: the empty document's mark was line 2 of a 1-line file.
        Case(
            name: "an empty document without a newline",
            yaml: "---",
            expected: ["FILE:1:4: the document must be a mapping of keys to values, not empty"]),
        Case(
            name: "YAML syntax: a key indented less than its list entry",
            yaml: """
                remote_write:
                  - url: http://a.example:8428/api/v1/write
                   name: a
                """,
            expected: [
                "FILE:3:4: not valid YAML: did not find expected '-' indicator (while parsing a block collection at "
                    + "2:3)"
            ]),
        Case(
            name: "a key given twice",
            yaml: """
                global:
                  interval: 15s
                  interval: 30s
                """,
            expected: ["FILE:2:3: duplicate key \"interval\" in one mapping: keep one of them"]),
        Case(
            name: "unknown top-level key, with the key meant",
            yaml: """
                global:
                  interval: 15s
                remote_writes:
                  - url: http://a.example:8428/api/v1/write
                """,
            expected: ["FILE:3:1: unknown key \"remote_writes\": did you mean \"remote_write\"?"]),
        Case(
            name: "unknown top-level key, with the known ones",
            yaml: """
                interval: 15s
                pushgateway:
                  url: http://pushgateway.example:9091
                """,
            expected: [
                "FILE:1:1: unknown key \"interval\" (known keys: global, collection, names, pushgateway, remote_write, serve)"
            ]),
        Case(
            name: "unknown key deep inside remote_write[1].queue_config",
            yaml: """
                remote_write:
                  - url: http://a.example:8428/api/v1/write
                  - url: http://b.example:8428/api/v1/write
                    queue_config:
                      max_sample_per_send: 500
                """,
            expected: [
                "FILE:5:7: unknown key \"max_sample_per_send\" in remote_write[1].queue_config: did you mean "
                    + "\"max_samples_per_send\"?"
            ]),
        Case(
            name: "text where a boolean goes",
            yaml: """
                collection:
                  rates: "off"
                """,
            expected: ["FILE:2:10: collection.rates must be true or false, not text \"off\""]),
        Case(
            name: "a list where a mapping goes",
            yaml: """
                remote_write:
                  - url: http://a.example:8428/api/v1/write
                    queue_config:
                      - max_shards: 4
                """,
            expected: ["FILE:4:7: remote_write[0].queue_config must be a mapping of keys to values, not a list"]),
        Case(
            name: "a mapping where the remote_write list goes",
            yaml: """
                remote_write:
                  url: http://a.example:8428/api/v1/write
                  name: a
                """,
            expected: ["FILE:2:3: remote_write must be a list, not a mapping: start each entry with \"- \""]),
        Case(
            name: "a duration without its unit",
            yaml: """
                remote_write:
                  - url: http://a.example:8428/api/v1/write
                    remote_timeout: 30
                """,
            expected: [
                "FILE:3:21: remote_write[0].remote_timeout: \"30\" is not a duration: write a number with a unit "
                    + "(ms, s, m, h, d, w, y), e.g. 30s or 1m30s"
            ]),
        Case(
            name: "an interval below 100ms",
            yaml: """
                global:
                  interval: 50ms
                """,
            expected: ["FILE:2:13: global.interval must be at least 100ms, not 50ms"]),
        Case(
            name: "URLs that are not http or https",
            yaml: """
                pushgateway:
                  url: pushgateway.example:9091
                remote_write:
                  - url: ftp://a.example/api/v1/write
                """,
            expected: [
                "FILE:2:8: pushgateway.url must be an http:// or https:// URL",
                "FILE:4:10: remote_write[0].url must be an http:// or https:// URL",
            ]),
        Case(
            name: "two remote_write entries with one name",
            yaml: """
                remote_write:
                  - url: http://a.example:8428/api/v1/write
                    name: primary
                  - url: http://b.example:8428/api/v1/write
                    name: primary
                """,
            expected: [
                "FILE:5:11: remote_write[1].name: remote_write[0] already has the name \"primary\": give each entry its "
                    + "own name"
            ]),
        Case(
            name: "two remote_write entries to one URL (the queue is kept per URL)",
            yaml: """
                remote_write:
                  - url: https://team-a:pw-a@mimir.example/api/v1/push
                    name: team-a
                  - url: https://team-b:pw-b@mimir.example/api/v1/push
                    name: team-b
                """,
            expected: [
                "FILE:4:10: remote_write[1].url: remote_write[0] already sends to this URL; ipvs-push keeps one queue "
                    + "per URL, so give each URL only once"
            ]),
        Case(
            name: "password and password_file both set",
            yaml: """
                remote_write:
                  - url: http://a.example:8428/api/v1/write
                    basic_auth:
                      username: ipvs
                      password: hunter2
                      password_file: /etc/ipvs-push/password
                """,
            expected: ["FILE:6:22: remote_write[0].basic_auth: set only one of password and password_file"]),
        Case(
            name: "oauth2 is refused",
            yaml: """
                remote_write:
                  - url: https://a.example/api/v1/write
                    oauth2:
                      client_id: ipvs
                      client_secret_file: /etc/ipvs-push/oauth-secret
                      token_url: https://auth.example/token
                """,
            expected: [
                "FILE:4:7: remote_write[0].oauth2 is not supported by ipvs-push: use basic_auth, authorization or "
                    + "tls_config client certificates"
            ]),
        Case(
            name: "headers the client sets itself",
            yaml: """
                remote_write:
                  - url: https://a.example/api/v1/write
                    headers:
                      X-Scope-OrgID: team-a
                      Authorization: Bearer abc
                      Content-Type: text/plain
                """,
            expected: [
                "FILE:5:7: remote_write[0].headers: \"Authorization\" is set by ipvs-push itself: use the "
                    + "authorization or basic_auth block",
                "FILE:6:7: remote_write[0].headers: \"Content-Type\" is set by ipvs-push itself: remove it",
            ]),
        Case(
            name: "an unknown protobuf_message",
            yaml: """
                remote_write:
                  - url: https://a.example/api/v1/write
                    protobuf_message: io.prometheus.write.v2.WriteRequest
                """,
            expected: [
                "FILE:3:23: remote_write[0].protobuf_message: \"io.prometheus.write.v2.WriteRequest\" is not one of "
                    + "io.prometheus.write.v2.Request, prometheus.WriteRequest"
            ]),
        Case(
            name: "cert_file without key_file",
            yaml: """
                remote_write:
                  - url: https://a.example/api/v1/write
                    tls_config:
                      ca_file: /etc/ipvs-push/ca.pem
                      cert_file: /etc/ipvs-push/client.pem
                """,
            expected: ["FILE:4:7: remote_write[0].tls_config: cert_file needs key_file as well"]),
        Case(
            name: "TLS settings ipvs-push cannot honour, and a version that does not exist",
            yaml: """
                pushgateway:
                  url: https://pushgateway.example:9091
                  tls_config:
                    ca: |
                      -----BEGIN CERTIFICATE-----
                    server_name: pushgateway.internal
                    min_version: TLS14
                """,
            expected: [
                "FILE:4:9: pushgateway.tls_config.ca: inline PEM is not supported by ipvs-push: write it to a file "
                    + "and use ca_file",
                "FILE:6:18: pushgateway.tls_config.server_name is not supported by ipvs-push: use the certificate's "
                    + "name in the URL (and map it to the address in /etc/hosts)",
                "FILE:7:18: pushgateway.tls_config.min_version: \"TLS14\" is not one of TLS10, TLS11, TLS12, TLS13",
            ]),
        Case(
            name: "a relative namespace path",
            yaml: """
                collection:
                  namespace_paths:
                    - /run/netns/blue
                    - run/netns/green
                """,
            expected: [
                "FILE:4:7: collection.namespace_paths[1]: \"run/netns/green\" must be an absolute path to a network "
                    + "namespace file"
            ]),
        Case(
            name: "max_backoff below min_backoff",
            yaml: """
                remote_write:
                  - url: https://a.example/api/v1/write
                    queue_config:
                      min_backoff: 2s
                      max_backoff: 500ms
                """,
            expected: ["FILE:5:20: remote_write[0].queue_config.max_backoff (500ms) must be at least min_backoff (2s)"]),
        Case(
            name: "min_backoff above the default max_backoff",
            yaml: """
                remote_write:
                  - url: https://a.example/api/v1/write
                    queue_config:
                      min_backoff: 10s
                """,
            expected: [
                "FILE:4:20: remote_write[0].queue_config.min_backoff (10s) must be at most max_backoff (5s by "
                    + "default): set max_backoff as well"
            ]),
        Case(
            name: "a remote_write entry without url",
            yaml: """
                remote_write:
                  - name: a
                    remote_timeout: 10s
                """,
            expected: ["FILE:2:5: remote_write[0] needs \"url\""]),
        Case(
            name: "bearer_token_file (gone from Prometheus) and authorization type Basic",
            yaml: """
                remote_write:
                  - url: https://a.example/api/v1/write
                    bearer_token_file: /etc/ipvs-push/token
                  - url: https://b.example/api/v1/write
                    authorization:
                      type: Basic
                      credentials: dXNlcjpwYXNz
                """,
            expected: [
                "FILE:3:24: remote_write[0].bearer_token_file was removed from Prometheus' configuration: use "
                    + "authorization.credentials_file",
                "FILE:6:13: remote_write[1].authorization.type: Basic is not allowed: use basic_auth",
            ]),
        Case(
            name: "a log level and label names that do not exist",
            yaml: """
                global:
                  log_level: loud
                  external_labels:
                    1dc: fra1
                    __tenant: a
                """,
            expected: [
                "FILE:2:14: global.log_level: \"loud\" is not one of trace, debug, info, notice, warning, error, "
                    + "critical",
                "FILE:4:5: global.external_labels: \"1dc\" is not a label name: use letters, digits and underscores, "
                    + "not starting with a digit or \"__\"",
                "FILE:5:5: global.external_labels: \"__tenant\" is not a label name: use letters, digits and "
                    + "underscores, not starting with a digit or \"__\"",
            ]),
        Case(
            name: "a document that is a list",
            yaml: """
                - url: http://a.example/api/v1/write
                """,
            expected: ["FILE:1:1: the document must be a mapping of keys to values, not a list"]),
    ]

    @Test("a broken file", arguments: cases)
    func brokenFile(_ broken: Case) throws {
        let fixture = try ConfigFixture()
        let problems = try fixture.problems(broken.yaml)
        #expect(problems == broken.expected, "\(problems)")
    }

    @Test("a file with many problems gets all of them, in line order")
    func everyProblemInLineOrder() throws {
        let fixture = try ConfigFixture()
        let problems = try fixture.problems(
            """
            global:
              interval: 10ms
              log_level: loud
            collection:
              rates: sometimes
              compat: other
            pushgateway:
              url: localhost:9091
              methd: post
            remote_write:
              - url: https://a.example/api/v1/write
                remote_timeout: soon
                queue_config:
                  max_shards: many
            serve:
              listen_adress: ":9100"
            """)
        #expect(
            problems == [
                "FILE:2:13: global.interval must be at least 100ms, not 10ms",
                "FILE:3:14: global.log_level: \"loud\" is not one of trace, debug, info, notice, warning, error, "
                    + "critical",
                "FILE:5:10: collection.rates must be true or false, not text \"sometimes\"",
                "FILE:6:11: collection.compat: \"other\" is not one of ingress-ipvs-exporter, telegraf",
                "FILE:8:8: pushgateway.url must be an http:// or https:// URL",
                "FILE:9:3: unknown key \"methd\" in pushgateway: did you mean \"method\"?",
                "FILE:12:21: remote_write[0].remote_timeout: \"soon\" is not a duration: write a number with a unit "
                    + "(ms, s, m, h, d, w, y), e.g. 30s or 1m30s",
                "FILE:14:19: remote_write[0].queue_config.max_shards must be a whole number, not text \"many\"",
                "FILE:16:3: unknown key \"listen_adress\" in serve: did you mean \"listen_address\"?",
            ])
    }

    @Test("secrets written into a broken file are not repeated in the problems")
    func secretsStayOut() throws {
        let fixture = try ConfigFixture()
        let problems = try fixture.problems(
            """
            remote_write:
              - url: ftp://ipvs:url-secret@a.example/api/v1/write
                basic_auth:
                  username: ipvs
                  password: password-secret
                  password_file: /etc/ipvs-push/password
              - url: https://b.example/api/v1/write
                authorization:
                  type: Basic
                  credentials: credentials-secret
            """)
        #expect(problems.count == 3, "\(problems)")
        for secret in ["url-secret", "password-secret", "credentials-secret"] {
            #expect(!problems.joined(separator: "\n").contains(secret))
        }
    }

    @Test("an empty file is a valid, empty configuration")
    func emptyFile() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load("# nothing configured yet\n")
        #expect(file.remoteWrite == nil)
        #expect(file.settings.isEmpty)
        #expect(!file.hasServeSection)
    }

    @Test("a file that cannot be read is named, without a line, with the system's reason")
    func unreadableFile() throws {
        let fixture = try ConfigFixture()
        try FileManager.default.createDirectory(
            atPath: fixture.path("directory.yml"), withIntermediateDirectories: true)
        try Data([0x67, 0x6c, 0x6f, 0x62, 0x61, 0x6c, 0x3a, 0xff, 0xfe, 0x0a]).write(
            to: URL(fileURLWithPath: fixture.path("latin1.yml")))
        let cases = [
            ("absent.yml", "No such file or directory"), ("directory.yml", "Is a directory"),
            ("latin1.yml", "it is not UTF-8 text"),
        ]
        for (name, reason) in cases {
            let path = fixture.path(name)
            do {
                _ = try AgentConfigFile.load(path: path)
                Issue.record("loaded \(name)")
            } catch {
                #expect(error.problems.count == 1)
                #expect(error.problems.first?.line == 0)
                #expect(error.description == "\(path): cannot read the file: \(reason)")
            }
        }
    }
}
