import Configuration
import Foundation
import HTTPTransport
import RemoteWrite
import Testing

/// Flag over `IPVS_PUSH_*` variable over configuration file over default, through
/// `AgentSettings.resolve`, and errors that name where the bad value was written.
@Suite("setting layers: flag > environment > file > default")
struct SettingLayersTests {
    static let remoteWriteFile = """
        global:
          interval: 45s
          external_labels:
            cluster: fra1
            replica: a
        collection:
          namespace_paths:
            - /run/netns/a
          rates: true
          destinations: false
        remote_write:
          - url: http://a.example:8428/api/v1/write
            name: a
          - url: http://b.example:8428/api/v1/write
            name: b

        """

    static func resolve(
        _ flags: [SettingKey: [String]] = [:], _ environment: [String: String] = [:], file: AgentConfigFile?
    ) throws -> AgentSettings {
        try AgentSettings.resolve(flags: flags, environment: environment, file: file)
    }

    /// The problems `resolve` throws, or `[]` when it succeeds.
    static func problems(
        _ flags: [SettingKey: [String]] = [:], _ environment: [String: String] = [:], file: AgentConfigFile?
    ) -> [String] {
        do {
            _ = try AgentSettings.resolve(flags: flags, environment: environment, file: file)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    static func labels(_ configuration: RemoteWriteConfiguration) -> [String] {
        configuration.externalLabels.map { "\($0.name)=\($0.value)" }
    }

    @Test("interval: each layer wins over the ones below it")
    func intervalPrecedence() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(Self.remoteWriteFile)
        #expect(try Self.resolve(file: nil).interval == .seconds(15))
        #expect(try Self.resolve(file: file).interval == .seconds(45))
        #expect(try Self.resolve([:], ["IPVS_PUSH_INTERVAL": "30s"], file: file).interval == .seconds(30))
        #expect(
            try Self.resolve([.interval: ["1m30s"]], ["IPVS_PUSH_INTERVAL": "30s"], file: file).interval
                == .seconds(90))
        #expect(try Self.resolve([.interval: ["500ms"]], file: nil).interval == .milliseconds(500))
    }

    @Test("namespace paths: a comma-separated variable replaces the file's list, a flag replaces both")
    func namespacePaths() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(Self.remoteWriteFile)
        #expect(try Self.resolve(file: nil).collection.namespaces == [""])
        #expect(try Self.resolve(file: file).collection.namespaces == ["", "/run/netns/a"])
        let environment = ["IPVS_PUSH_NAMESPACE_PATH": "/run/netns/b, /run/netns/c"]
        #expect(
            try Self.resolve([:], environment, file: file).collection.namespaces == [
                "", "/run/netns/b", "/run/netns/c",
            ])
        #expect(
            try Self.resolve([.namespacePath: ["/run/netns/d"]], environment, file: file).collection.namespaces
                == ["", "/run/netns/d"])
        #expect(
            try Self.resolve([:], environment.merging(["IPVS_PUSH_HOST_NAMESPACE": "false"]) { $1 }, file: file)
                .collection.namespaces == ["/run/netns/b", "/run/netns/c"])
        #expect(
            Self.problems([:], ["IPVS_PUSH_NAMESPACE_PATH": "/run/netns/b,netns/c"], file: file) == [
                "IPVS_PUSH_NAMESPACE_PATH: \"netns/c\" must be an absolute path to a namespace file"
            ])
    }

    @Test("booleans: IPVS_PUSH_RATES=false over the file's true, the flag over both")
    func booleans() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(Self.remoteWriteFile)
        let fromFile = try Self.resolve(file: file).collection.metricOptions
        #expect(fromFile.includeRates == true)
        #expect(fromFile.includeDestinations == false)
        #expect(try Self.resolve(file: nil).collection.metricOptions.includeDestinations == true)
        for text in ["false", "0", "FALSE"] {
            #expect(
                try Self.resolve([:], ["IPVS_PUSH_RATES": text], file: file).collection.metricOptions.includeRates
                    == false)
        }
        let both = try Self.resolve(
            [.rates: ["true"], .destinations: ["true"]], ["IPVS_PUSH_RATES": "false"], file: file)
        #expect(both.collection.metricOptions.includeRates == true)
        #expect(both.collection.metricOptions.includeDestinations == true)
        #expect(
            Self.problems([:], ["IPVS_PUSH_RATES": "no way"], file: file) == [
                "IPVS_PUSH_RATES: \"no way\" is not true or false"
            ])
    }

    @Test("external labels: pairs from a variable or flags replace the file's mapping as a whole")
    func externalLabels() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(Self.remoteWriteFile)
        for configuration in try Self.resolve(file: file).remoteWrite {
            #expect(Self.labels(configuration) == ["cluster=fra1", "replica=a"])
        }
        let environment = ["IPVS_PUSH_EXTERNAL_LABEL": "cluster=ams1,env=prod"]
        for configuration in try Self.resolve([:], environment, file: file).remoteWrite {
            #expect(Self.labels(configuration) == ["cluster=ams1", "env=prod"])
        }
        for configuration in try Self.resolve([.externalLabel: ["cluster=par1", "dc=par"]], environment, file: file)
            .remoteWrite
        {
            #expect(Self.labels(configuration) == ["cluster=par1", "dc=par"])
        }
    }

    @Test("invalid external labels are reported once, naming the layer that gave them")
    func invalidExternalLabels() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(Self.remoteWriteFile)
        #expect(
            Self.problems([:], ["IPVS_PUSH_EXTERNAL_LABEL": "cluster"], file: file) == [
                "IPVS_PUSH_EXTERNAL_LABEL: \"cluster\" is not NAME=VALUE"
            ])
        // Two remote_write entries, one problem; with --remote-write the flag is not blamed.
        let invalid =
            "--external-label: \"1dc\" is not a label name: use letters, digits and underscores, not "
            + "starting with a digit or \"__\""
        #expect(Self.problems([.externalLabel: ["1dc=fra1"]], file: file) == [invalid])
        #expect(
            Self.problems(
                [.externalLabel: ["1dc=fra1"], .remoteWrite: ["http://c.example/api/v1/write"]], file: file)
                == [invalid])
    }

    @Test("an invalid value names its origin: the flag, the variable, or the file's line and column")
    func errorsNameTheirOrigin() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(Self.remoteWriteFile)
        #expect(
            Self.problems([.interval: ["5x"]], file: file) == [
                "--interval: \"5x\" is not a duration such as 15s, 1m30s or 500ms"
            ])
        #expect(
            Self.problems([:], ["IPVS_PUSH_INTERVAL": "5x"], file: file) == [
                "IPVS_PUSH_INTERVAL: \"5x\" is not a duration such as 15s, 1m30s or 500ms"
            ])
        #expect(
            Self.problems([:], ["IPVS_PUSH_INTERVAL": "50ms"], file: file) == [
                "IPVS_PUSH_INTERVAL: must be at least 100ms, not 50ms"
            ])
        // The flag wins, so the variable's bad value is not even read.
        #expect(Self.problems([.interval: ["20s"]], ["IPVS_PUSH_INTERVAL": "5x"], file: file) == [])

        // A bad value in the file is found when the file is read...
        let path = try fixture.write("bad-interval.yml", "global:\n  interval: 5x\n")
        do {
            _ = try AgentConfigFile.load(path: path)
            Issue.record("loaded an interval of 5x")
        } catch {
            #expect(
                error.description
                    == "\(path):2:13: global.interval: \"5x\" is not a duration: write a number with a unit (ms, s, "
                    + "m, h, d, w, y), e.g. 30s or 1m30s")
        }
        // ...and a value valid alone but not together with the others when the layers are resolved.
        let grouping = try fixture.load(
            """
            pushgateway:
              url: http://pushgateway.example:9091
              grouping_labels:
                job: other
            """, name: "grouping.yml")
        #expect(
            Self.problems(file: grouping) == [
                "\(fixture.path("grouping.yml")):4:5: pushgateway.grouping_labels: grouping label \"job\" is set by "
                    + "ipvs-push itself; use --job (pushgateway.job)"
            ])
        let noNamespace = try fixture.load("collection:\n  host_namespace: false\n", name: "nothing.yml")
        #expect(
            Self.problems(file: noNamespace) == [
                "\(fixture.path("nothing.yml")):2:19: collection.host_namespace: without the host namespace nothing "
                    + "is left to read: give at least one --namespace-path (collection.namespace_paths) or "
                    + "--namespace-glob (collection.namespace_globs)"
            ])
        do {
            _ = try fixture.load("collection:\n  namespace_globs: [docker/*]\n", name: "glob.yml")
            Issue.record("a relative namespace pattern was accepted")
        } catch {
            #expect(
                "\(error)" == "\(fixture.path("glob.yml")):2:21: collection.namespace_globs[0]: \"docker/*\" must be "
                    + "an absolute path pattern, such as /var/run/docker/netns/*")
        }
    }

    @Test("an unknown IPVS_PUSH_ variable is an error, with the name meant when one is close")
    func unknownVariable() throws {
        #expect(
            Self.problems([:], ["IPVS_PUSH_FOO": "1"], file: nil) == [
                "IPVS_PUSH_FOO: no setting has this name (see ipvs-push --help for the flags)"
            ])
        #expect(
            Self.problems([:], ["IPVS_PUSH_INTERVALL": "30s"], file: nil) == [
                "IPVS_PUSH_INTERVALL: no setting has this name: did you mean IPVS_PUSH_INTERVAL?"
            ])
        // The file's own variable and other programs' variables are not settings.
        #expect(Self.problems([:], ["IPVS_PUSH_CONFIG": "/etc/ipvs-push.yml", "PUSH_INTERVAL": "x"], file: nil) == [])
    }

    @Test("every setting's variable is read: IPVS_PUSH_ and the flag's name in capitals")
    func variableNames() throws {
        #expect(SettingKey.interval.environmentVariable == "IPVS_PUSH_INTERVAL")
        #expect(SettingKey.queueDirectory.environmentVariable == "IPVS_PUSH_QUEUE_DIR")
        #expect(SettingKey.webConfigFile.environmentVariable == "IPVS_PUSH_WEB_CONFIG_FILE")
        #expect(SettingKey.tlsInsecureSkipVerify.environmentVariable == "IPVS_PUSH_TLS_INSECURE_SKIP_VERIFY")
        let names = SettingKey.allCases.map(\.environmentVariable)
        #expect(Set(names).count == names.count)
        let settings = try Self.resolve(
            [:],
            [
                "IPVS_PUSH_SHUTDOWN_GRACE": "1m", "IPVS_PUSH_LOG_LEVEL": "debug", "IPVS_PUSH_LOG_FORMAT": "json",
                "IPVS_PUSH_LISTEN_ADDRESS": "127.0.0.1:9999", "IPVS_PUSH_TELEMETRY_PATH": "/ipvs",
                "IPVS_PUSH_PUSHGATEWAY": "http://pushgateway.example:9091", "IPVS_PUSH_METHOD": "post",
                "IPVS_PUSH_COMPRESSION": "gzip", "IPVS_PUSH_DELETE_ON_EXIT": "true",
                "IPVS_PUSH_GROUPING_LABEL": "site=fra", "IPVS_PUSH_INSTANCE": "lb-1",
            ], file: nil)
        #expect(settings.shutdownGrace == .seconds(60))
        #expect(settings.logging.level.rawValue == "debug")
        #expect(settings.logging.format.rawValue == "json")
        #expect(settings.serve?.listenAddress == "127.0.0.1:9999")
        #expect(settings.serve?.telemetryPath == "/ipvs")
        let pushgateway = try #require(settings.pushgateway)
        #expect(pushgateway.url == "http://pushgateway.example:9091")
        #expect(pushgateway.method.rawValue == "post")
        #expect(pushgateway.gzip)
        #expect(pushgateway.deleteOnExit)
        #expect(pushgateway.groupingLabels.map { "\($0.name)=\($0.value)" } == ["site=fra"])
        #expect(pushgateway.instance == "lb-1")
        #expect(pushgateway.job == "ipvs")
    }

    @Test("--remote-write URLs replace the file's remote_write list; the global settings still apply")
    func remoteWriteFlagsReplaceTheList() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(Self.remoteWriteFile)
        #expect(
            try Self.resolve(file: file).remoteWrite.map(\.url) == [
                "http://a.example:8428/api/v1/write", "http://b.example:8428/api/v1/write",
            ])
        let flagged = try Self.resolve(
            [
                .remoteWrite: ["http://c.example/api/v1/write"], .protocolVersion: ["v2"], .tenant: ["team-c"],
                .maxSamplesPerSend: ["100"],
            ], file: file)
        try #require(flagged.remoteWrite.count == 1)
        let only = flagged.remoteWrite[0]
        #expect(only.url == "http://c.example/api/v1/write")
        #expect(only.name == nil)
        #expect(only.protocolVersion == .v2)
        #expect(only.tenant == "team-c")
        #expect(only.maxSamplesPerSend == 100)
        #expect(Self.labels(only) == ["cluster=fra1", "replica=a"])

        let fromEnvironment = try Self.resolve(
            [:], ["IPVS_PUSH_REMOTE_WRITE": "http://d.example/api/v1/write,http://e.example/api/v1/write"],
            file: file)
        #expect(
            fromEnvironment.remoteWrite.map(\.url) == [
                "http://d.example/api/v1/write", "http://e.example/api/v1/write",
            ])
        #expect(
            Self.problems([.remoteWrite: ["ftp://c.example/write"]], file: file) == [
                "--remote-write: remote-write URL ftp://c.example/write must start with http:// or https://"
            ])
    }

    static let pushgatewayFile = """
        pushgateway:
          url: https://pushgateway.example:9091
          job: ipvs-lb
          timeout: 20s
          headers:
            X-Team: lb
          basic_auth:
            username: pusher
            password_file: secrets/pushgateway
          tls_config:
            ca_file: tls/ca.pem
            cert_file: tls/client.pem
            key_file: tls/client-key.pem
          proxy_url: http://proxy.example:3128

        """

    @Test("transport flags replace their part of the file's pushgateway section and leave the rest")
    func transportFlagsOverrideParts() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(Self.pushgatewayFile)
        let plain = try #require(try Self.resolve(file: file).pushgateway)
        #expect(plain.url == "https://pushgateway.example:9091")
        #expect(plain.job == "ipvs-lb")
        #expect(plain.transport.timeout == .seconds(20))
        #expect(plain.transport.headers == HTTPHeaders([("X-Team", "lb")]))
        #expect(
            plain.transport.authentication
                == .basic(username: "pusher", passwordFile: fixture.path("secrets/pushgateway")))
        #expect(
            plain.transport.tls
                == TLSConfiguration(
                    caFile: fixture.path("tls/ca.pem"), certificateFile: fixture.path("tls/client.pem"),
                    keyFile: fixture.path("tls/client-key.pem")))
        #expect(plain.transport.proxyURL == "http://proxy.example:3128")

        let partly = try #require(
            try Self.resolve(
                [.tlsCAFile: ["/etc/ssl/certs/ca-certificates.crt"], .proxyURL: ["http://other-proxy.example:3128"]],
                ["IPVS_PUSH_TIMEOUT": "5s", "IPVS_PUSH_JOB": "ipvs-env"], file: file
            ).pushgateway)
        #expect(partly.url == "https://pushgateway.example:9091")
        #expect(partly.job == "ipvs-env")
        #expect(partly.transport.timeout == .seconds(5))
        #expect(partly.transport.tls.caFile == "/etc/ssl/certs/ca-certificates.crt")
        #expect(partly.transport.tls.certificateFile == fixture.path("tls/client.pem"))
        #expect(partly.transport.tls.keyFile == fixture.path("tls/client-key.pem"))
        #expect(partly.transport.proxyURL == "http://other-proxy.example:3128")
        #expect(partly.transport.headers == HTTPHeaders([("X-Team", "lb")]))
        #expect(partly.transport.authentication == plain.transport.authentication)

        let replaced = try #require(
            try Self.resolve(
                [.bearerTokenFile: ["/etc/hostname"], .header: ["X-Team=edge", "X-Site=fra"]], file: file
            ).pushgateway)
        #expect(replaced.transport.authentication == .bearer(tokenFile: "/etc/hostname"))
        #expect(replaced.transport.headers == HTTPHeaders([("X-Team", "edge"), ("X-Site", "fra")]))
        #expect(replaced.transport.tls == plain.transport.tls)

        let skipVerify = try #require(
            try Self.resolve([:], ["IPVS_PUSH_TLS_INSECURE_SKIP_VERIFY": "true"], file: file).pushgateway)
        #expect(skipVerify.transport.tls.insecureSkipVerify)
        #expect(skipVerify.transport.tls.caFile == fixture.path("tls/ca.pem"))

        #expect(
            Self.problems([.header: ["Content-Type=text/plain"]], file: file) == [
                "--header: header \"Content-Type\" is set by ipvs-push itself"
            ])
    }

    @Test("file paths from the file are relative to it; from flags and variables they stay as given")
    func relativePaths() throws {
        let fixture = try ConfigFixture()
        let file = try fixture.load(
            """
            global:
              queue_directory: queue
            collection:
              textfile_directory: textfiles
            serve:
              web_config_file: web.yml
            remote_write:
              - url: http://a.example:8428/api/v1/write

            """)
        let fromFile = try Self.resolve(file: file)
        #expect(fromFile.remoteWrite.first?.queueDirectory == fixture.path("queue"))
        #expect(fromFile.collection.textfileDirectory == fixture.path("textfiles"))
        #expect(fromFile.serve?.webConfigFile == fixture.path("web.yml"))
        #expect(fromFile.serve?.listenAddress == ":9100")
        let fromVariable = try Self.resolve([:], ["IPVS_PUSH_QUEUE_DIR": "spool"], file: file)
        #expect(fromVariable.remoteWrite.first?.queueDirectory == "spool")
    }
}
