import Foundation
import TestSupport
import Testing

/// Passwords and tokens come from files and never show in the output, whatever the log
/// level and whether the push works or fails. (The gateway ignores authentication, so the
/// credentials are really sent along with a successful push.)
@Suite("send and once: credentials never appear in the output", .pushgateway)
struct SecretTests {
    enum Credential: String, CaseIterable, Sendable {
        case basic, bearer
    }

    enum Target: String, CaseIterable, Sendable {
        case gateway, unreachable
    }

    /// Every form the secret could leak in: itself, and basic authentication's header value.
    static func forms(of secret: String, user: String = "u") -> [String] {
        [secret, Data("\(user):\(secret)".utf8).base64EncodedString()]
    }

    @Test(
        "the secret stays out of stdout and stderr at log level trace",
        arguments: Credential.allCases, Target.allCases)
    func secretHidden(_ credential: Credential, _ target: Target) async throws {
        let files = try ScratchFiles()
        let secret = "s3cret-\(UUID().uuidString)"
        let secretFile = try files.write("secret", secret + "\n")
        let url = target == .gateway ? try TestPushgateway.url : "http://127.0.0.1:\(FreePort.allocate())"
        let job = "cli-secret-\(credential)-\(target)"
        let authentication =
            credential == .basic
            ? ["--basic-auth-user", "u", "--basic-auth-password-file", secretFile]
            : ["--bearer-token-file", secretFile]
        for command in ["send", "once"] {
            let result = try await CLIRun.run(
                [command, "--pushgateway", url, "--job", job, "--timeout", "1s", "--log-level", "trace"]
                    + authentication, stdin: Data("cli_secret 1\n".utf8), timeout: 30)
            if target == .gateway {
                #expect(result.status == (command == "send" ? 0 : HostIPVS.onceStatus), "\(result)")
            } else {
                #expect(result.status == 75, "\(result)")
            }
            #expect(!result.stderr.isEmpty, "trace logging printed nothing: \(result)")
            for form in Self.forms(of: secret) {
                #expect(!result.output.contains(form), "\(command) printed the secret: \(result)")
            }
        }
        if target == .gateway {
            #expect(try await TestPushgateway.groups(job: job).count == 2, "send's and once's groups")
        }
    }

    @Test("a password in the URL is not shown, not even when the gateway cannot be reached")
    func urlCredentials() async throws {
        let secret = "urlsecret\(UInt32.random(in: 1000...9999))"
        let url = "http://user:\(secret)@127.0.0.1:\(FreePort.allocate())"
        let result = try await CLIRun.run(
            ["send", "--pushgateway", url, "--job", "cli-secret-url", "--timeout", "1s", "--log-level", "trace"],
            stdin: Data("cli_secret 1\n".utf8), timeout: 30)
        #expect(result.status == 75, "\(result)")
        #expect(result.stderr.contains("127.0.0.1"), "\(result)")
        for form in Self.forms(of: secret, user: "user") {
            #expect(!result.output.contains(form), "the URL's password was printed: \(result)")
        }
    }
}
