import Foundation
import TestSupport
import Testing

/// `ipvs-push check-config FILE`, as CI or a systemd `ExecReload` guard runs it: exit 0 and
/// OK, or exit 78 and every problem with its place.
@Suite("check-config")
struct CheckConfigTests {
    static let configuration: Int32 = 78

    /// A complete file: every section, with paths relative to it to secrets and a CA file that exist.
    static func goodFile(in files: ScratchFiles) throws -> String {
        try files.write("pushgateway-password", "pushgateway-secret\n")
        try files.write("mimir-password", "mimir-secret\n")
        try files.write("victoria-token", "victoria-secret\n")
        try files.write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
        try FileManager.default.createDirectory(atPath: files.path("textfiles"), withIntermediateDirectories: true)
        return try files.write(
            "ipvs-push.yml",
            """
            global:
              interval: 30s
              shutdown_grace: 20s
              external_labels:
                cluster: fra1
              log_level: info
              log_format: json
              queue_directory: queue
              queue_max_bytes: 128MiB
            collection:
              host_namespace: true
              namespace_paths: [/run/netns/blue]
              rates: false
              textfile_directory: textfiles
            pushgateway:
              url: https://pushgateway.example:9091
              job: ipvs
              grouping_labels:
                site: fra
              method: post
              compression: gzip
              delete_on_exit: true
              timeout: 10s
              basic_auth:
                username: pusher
                password_file: pushgateway-password
              tls_config:
                ca_file: ca.pem
            remote_write:
              - url: https://mimir.example/api/v1/push
                name: mimir
                headers:
                  X-Scope-OrgID: team-a
                basic_auth:
                  username: ipvs
                  password_file: mimir-password
                protobuf_message: io.prometheus.write.v2.Request
              - url: http://victoria.example:8428/api/v1/write
                name: victoria
                authorization:
                  credentials_file: victoria-token
                queue_config:
                  max_samples_per_send: 1000
            serve:
              listen_address: 127.0.0.1:9100
              telemetry_path: /metrics

            """)
    }

    @Test("a good file: exit 0 and OK")
    func goodFile() async throws {
        let files = try ScratchFiles()
        let path = try Self.goodFile(in: files)
        let result = try await CLIRun.run(["check-config", path])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "\(path): OK\n", "\(result)")
        #expect(result.stderr.isEmpty, "\(result)")
    }

    @Test("the environment is not applied: the file alone is checked")
    func environmentIgnored() async throws {
        let files = try ScratchFiles()
        let path = try Self.goodFile(in: files)
        let result = try await CLIRun.run(
            ["check-config", path], environment: ["IPVS_PUSH_INTERVAL": "soon", "IPVS_PUSH_NO_SUCH": "1"])
        #expect(result.status == 0, "\(result)")
    }

    @Test("a broken file: exit 78 and every problem with its line and column")
    func brokenFile() async throws {
        let files = try ScratchFiles()
        let path = try files.write(
            "broken.yml",
            """
            global:
              interval: 10ms
            pushgateway:
              url: pushgateway.example:9091
              basic_auth:
                username: pusher
                password: inline-secret
                password_file: secrets/pushgateway
            remote_write:
              - url: https://a.example/api/v1/write
                oauth2:
                  client_id: ipvs
                queue_config:
                  max_sample_per_send: 10
            serve:
              listen_adress: ":9100"
            """)
        let result = try await CLIRun.run(["check-config", path])
        #expect(result.status == Self.configuration, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        let expected = [
            "\(path):2:13: global.interval must be at least 100ms, not 10ms",
            "\(path):4:8: pushgateway.url must be an http:// or https:// URL",
            "\(path):8:20: pushgateway.basic_auth: set only one of password and password_file",
            "\(path):12:7: remote_write[0].oauth2 is not supported by ipvs-push: use basic_auth, authorization or "
                + "tls_config client certificates",
            "\(path):14:7: unknown key \"max_sample_per_send\" in remote_write[0].queue_config: did you mean "
                + "\"max_samples_per_send\"?",
            "\(path):16:3: unknown key \"listen_adress\" in serve: did you mean \"listen_address\"?",
        ]
        #expect(result.stderr == "ipvs-push: error: " + expected.joined(separator: "\n") + "\n", "\(result)")
        #expect(!result.output.contains("inline-secret"))
    }

    @Test("a password_file that cannot be read is reported, without the other secrets")
    func unreadablePasswordFile() async throws {
        let files = try ScratchFiles()
        try files.write("token", "victoria-secret\n")
        // A directory where the password file should be: open succeeds, reading fails (even for root).
        try FileManager.default.createDirectory(atPath: files.path("password-dir"), withIntermediateDirectories: true)
        let path = try files.write(
            "ipvs-push.yml",
            """
            remote_write:
              - url: https://mimir.example/api/v1/push
                name: mimir
                basic_auth:
                  username: ipvs
                  password_file: missing-password
              - url: https://other.example/api/v1/push
                basic_auth:
                  username: ipvs
                  password_file: password-dir
              - url: https://victoria.example/api/v1/write
                authorization:
                  credentials_file: token
            """)
        let result = try await CLIRun.run(["check-config", path])
        #expect(result.status == Self.configuration, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        let missing = files.path("missing-password")
        let directory = files.path("password-dir")
        let expected = [
            "remote_write mimir: cannot read the basic auth password file \(missing): No such file or directory; fix "
                + "the path or the file's permissions",
            "remote_write https://other.example/api/v1/push: cannot read the basic auth password file \(directory): "
                + "Is a directory",
        ]
        #expect(result.stderr == "ipvs-push: error: " + expected.joined(separator: "\n") + "\n", "\(result)")
        #expect(!result.output.contains("victoria-secret"))
    }

    @Test("a file with nothing to deliver to is refused")
    func nothingToDo() async throws {
        let files = try ScratchFiles()
        let path = try files.write("idle.yml", "global:\n  interval: 15s\n")
        let result = try await CLIRun.run(["check-config", path])
        #expect(result.status == Self.configuration, "\(result)")
        #expect(
            result.stderr
                == "ipvs-push: error: \(path): nothing to do: configure pushgateway, remote_write and/or serve\n",
            "\(result)")
    }

    @Test("a file that does not exist")
    func missingFile() async throws {
        let files = try ScratchFiles()
        let path = files.path("absent.yml")
        let result = try await CLIRun.run(["check-config", path])
        #expect(result.status == Self.configuration, "\(result)")
        #expect(
            result.stderr == "ipvs-push: error: \(path): cannot read the file: No such file or directory\n", "\(result)"
        )
    }

    @Test("a Docker host that is no socket and every problem of the names file, with line and column")
    func namesSources() async throws {
        let files = try ScratchFiles()
        try files.write(
            "names.yml",
            """
            services:
              - name: web
                address: 192.0.2.300
                port: 80
              - fwmark: 42
                port: 1
            """)
        let path = try files.write(
            "ipvs-push.yml",
            """
            collection:
              namespace_globs: [/var/run/docker/netns/*]
            names:
              docker_host: unix://\(files.path("docker.sock"))
              file: names.yml
            serve:
              listen_address: 127.0.0.1:9100
            """)
        let result = try await CLIRun.run(["check-config", path])
        #expect(result.status == Self.configuration, "\(result)")
        let names = files.path("names.yml")
        let expected = [
            "--docker-host unix://\(files.path("docker.sock")): the socket does not exist; is Docker running on this "
                + "host? (in a container, mount the host's /var/run/docker.sock)",
            "the names file has 3 problems:",
            "  \(names):3:14: services[0].address: \"192.0.2.300\" is not an IPv4 or IPv6 address (write it without "
                + "brackets or prefix length)",
            "  \(names):5:5: services[1] needs a \"name\"",
            "  \(names):6:11: services[1] has both fwmark and port: a service is either a firewall mark or an address "
                + "and port; keep one",
        ]
        #expect(result.stderr == "ipvs-push: error: " + expected.joined(separator: "\n") + "\n", "\(result)")
    }
}
