import Configuration
import Foundation
import HTTPTransport
import RemoteWrite
import TestSupport
import Testing

/// A `remote_write` block as a Prometheus user pastes it from prometheus.yml, with every
/// field ipvs-push supports, read into the remote-write sender's configuration.
///
/// (`write_relabel_configs` is left out while the Configuration module's RelabelBlock
/// still refuses it as "not wired yet".)
@Suite("a remote_write block pasted from prometheus.yml")
struct PrometheusRemoteWriteBlockTests {
    /// Two entries covering every supported field; relative file paths, which Prometheus
    /// resolves against the configuration file's directory, and one absolute path.
    static let block = """
        remote_write:
          - url: https://mimir.example.com:9009/api/v1/push
            name: mimir
            remote_timeout: 45s
            headers:
              X-Scope-OrgID: team-a
              X-Source: ipvs-push
            basic_auth:
              username: prometheus
              password_file: secrets/mimir-password
            tls_config:
              ca_file: tls/ca.pem
              cert_file: tls/client.pem
              key_file: /etc/ipvs-push/tls/client-key.pem
              insecure_skip_verify: false
              min_version: TLS13
            proxy_url: http://proxy.example.com:3128
            follow_redirects: true
            enable_http2: false
            send_exemplars: false
            send_native_histograms: false
            protobuf_message: io.prometheus.write.v2.Request
            queue_config:
              capacity: 10000
              max_shards: 8
              min_shards: 2
              max_samples_per_send: 500
              batch_send_deadline: 5s
              min_backoff: 50ms
              max_backoff: 10s
              retry_on_http_429: false
            metadata_config:
              send: true
              send_interval: 1m
              max_samples_per_send: 500
          - url: https://victoria.example.com:8428/api/v1/write
            name: victoria
            remote_timeout: 5s
            authorization:
              type: Bearer
              credentials_file: tokens/victoria
            tls_config:
              insecure_skip_verify: true
              min_version: TLS12
            protobuf_message: prometheus.WriteRequest
            queue_config:
              max_shards: 1000

        """

    @Test("every field of the first entry reaches the sender's configuration")
    func firstEntry() throws {
        let fixture = try ConfigFixture()
        let entries = try #require(try fixture.load(Self.block).remoteWrite)
        try #require(entries.count == 2)
        let mimir = entries[0]
        #expect(mimir.url == "https://mimir.example.com:9009/api/v1/push")
        #expect(mimir.name == "mimir")
        #expect(mimir.protocolVersion == .v2)
        #expect(mimir.tenant == nil)  // X-Scope-OrgID comes as a header here
        #expect(mimir.maxSamplesPerSend == 500)
        #expect(mimir.shards == 8)
        #expect(mimir.minBackoff == .milliseconds(50))
        #expect(mimir.maxBackoff == .seconds(10))
        #expect(mimir.retryOn429 == false)
        // Set by the global section, not by the block.
        #expect(mimir.externalLabels.isEmpty)
        #expect(mimir.queueDirectory == nil)
        #expect(mimir.queueMaxBytes == 256 << 20)

        let transport = mimir.transport
        #expect(transport.timeout == .seconds(45))
        #expect(transport.connectTimeout == .seconds(10))
        #expect(
            transport.headers == HTTPHeaders([("X-Scope-OrgID", "team-a"), ("X-Source", "ipvs-push")]))
        #expect(
            transport.authentication
                == .basic(username: "prometheus", password: .file(fixture.path("secrets/mimir-password"))))
        #expect(
            transport.tls
                == TLSConfiguration(
                    caFile: fixture.path("tls/ca.pem"), certificateFile: fixture.path("tls/client.pem"),
                    keyFile: "/etc/ipvs-push/tls/client-key.pem", insecureSkipVerify: false, minimumVersion: .tls13))
        #expect(transport.proxyURL == "http://proxy.example.com:3128")
        #expect(transport.noProxy == nil)
        try mimir.validate()
    }

    @Test("the second entry: authorization with credentials_file, TLS 1.2, shards capped, defaults elsewhere")
    func secondEntry() throws {
        let fixture = try ConfigFixture()
        let entries = try #require(try fixture.load(Self.block).remoteWrite)
        try #require(entries.count == 2)
        let victoria = entries[1]
        #expect(victoria.url == "https://victoria.example.com:8428/api/v1/write")
        #expect(victoria.name == "victoria")
        #expect(victoria.protocolVersion == .v1)
        #expect(victoria.tenant == nil)
        // Prometheus' max_shards may be in the hundreds; more than 256 requests in flight gain nothing here.
        #expect(victoria.shards == 256)
        #expect(victoria.maxSamplesPerSend == 10_000)
        #expect(victoria.minBackoff == .milliseconds(30))
        #expect(victoria.maxBackoff == .seconds(5))
        #expect(victoria.retryOn429 == true)

        let transport = victoria.transport
        #expect(transport.timeout == .seconds(5))
        #expect(transport.headers.isEmpty)
        #expect(
            transport.authentication
                == .authorization(type: "Bearer", credentials: .file(fixture.path("tokens/victoria"))))
        #expect(transport.tls == TLSConfiguration(insecureSkipVerify: true, minimumVersion: .tls12))
        #expect(transport.proxyURL == nil)
        // Prometheus uses no proxy unless one is configured: http_proxy from the environment must not apply.
        #expect(transport.noProxy == "*")
        try victoria.validate()
    }

    @Test("the global section adds external labels and the queue to every entry; flags are not needed")
    func globalSettingsApply() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(
            """
            global:
              external_labels:
                cluster: fra1
                replica: a
              queue_directory: queue
              queue_max_bytes: 64MiB

            """ + Self.block)
        let settings = try AgentSettings.resolve(flags: [:], environment: [:], file: file)
        try #require(settings.remoteWrite.count == 2)
        for configuration in settings.remoteWrite {
            #expect(configuration.externalLabels.map { "\($0.name)=\($0.value)" } == ["cluster=fra1", "replica=a"])
            #expect(configuration.queueDirectory == fixture.path("queue"))
            #expect(configuration.queueMaxBytes == 64 << 20)
        }
        #expect(settings.remoteWrite.map(\.name) == ["mimir", "victoria"])
        #expect(settings.pushgateway == nil)
        #expect(settings.serve == nil)
    }

    @Test("inline secrets and a custom authorization type are kept as given")
    func inlineSecrets() throws {
        let fixture = try ConfigFixture()
        let entries = try #require(
            try fixture.load(
                """
                remote_write:
                  - url: http://receiver.example:9090/api/v1/write
                    basic_auth:
                      username: ipvs
                      password: s3cret
                  - url: http://other.example:9090/api/v1/write
                    authorization:
                      type: Token
                      credentials: abc123

                """
            ).remoteWrite)
        try #require(entries.count == 2)
        #expect(entries[0].transport.authentication == .basic(username: "ipvs", password: .inline("s3cret")))
        #expect(entries[1].transport.authentication == .authorization(type: "Token", credentials: .inline("abc123")))
        #expect(entries[0].name == nil)
        // A minimal entry has Prometheus' defaults.
        #expect(entries[0].transport.timeout == .seconds(30))
        #expect(entries[0].protocolVersion == .v1)
    }

    /// Prometheus' own checker accepts the same text, so the block really is what a
    /// Prometheus user has (promtool 2.42 predates `protobuf_message`, added in 2.54, so
    /// those lines are left out for it).
    @Test("promtool check config accepts the same block")
    func prometheusAcceptsTheBlock() throws {
        let promtool = "/usr/bin/promtool"
        guard FileManager.default.isExecutableFile(atPath: promtool) else {
            throw TestFailure("\(promtool) is not installed; `make deps` installs it (apt: prometheus)")
        }
        let fixture = try ConfigFixture()
        let text = Self.block.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("protobuf_message") }.joined(separator: "\n")
        let path = try fixture.write("prometheus.yml", text)
        let result = try ChildProcess.runBlocking(promtool, ["check", "config", path], output: .merged)
        let printed = result.stdout
        #expect(result.status == 0, "\(printed)")
        #expect(printed.contains("SUCCESS"), "\(printed)")
    }
}
