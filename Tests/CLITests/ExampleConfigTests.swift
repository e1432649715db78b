import Foundation
import TestSupport
import Testing

/// The annotated example configuration: the README shows it, `examples/ipvs-push.yml` is
/// it, and `check-config` accepts it once the files it names exist.
@Suite("the example configuration file")
struct ExampleConfigTests {
    static let example = ProductBinary.packageRoot.appendingPathComponent("examples/ipvs-push.yml")

    @Test("the README shows examples/ipvs-push.yml as it is")
    func readmeShowsTheFile() throws {
        let readme = try String(
            contentsOf: ProductBinary.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let file = try String(contentsOf: Self.example, encoding: .utf8)
        #expect(readme.contains("```yaml\n" + file + "```\n"), "README's example differs from examples/ipvs-push.yml")
    }

    @Test("check-config accepts it when the files it names exist, and names each missing one otherwise")
    func checkConfigAcceptsIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("example-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("textfile"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try String(contentsOf: Self.example, encoding: .utf8)
        let local = text.replacingOccurrences(of: "/etc/ipvs-push/", with: directory.path + "/")
            .replacingOccurrences(of: "/var/lib/ipvs-push/textfile", with: directory.path + "/textfile")
            .replacingOccurrences(of: "/var/lib/ipvs-push", with: directory.path + "/queue")
        let config = directory.appendingPathComponent("ipvs-push.yml")
        try local.write(to: config, atomically: true, encoding: .utf8)

        let missing = try await CLIRun.run(["check-config", config.path])
        #expect(missing.status == 78, "\(missing)")
        for name in ["pushgateway.password", "ca.pem"] {
            #expect(missing.stderr.contains(directory.appendingPathComponent(name).path), "\(missing)")
        }

        try "secret-password\n".write(
            to: directory.appendingPathComponent("pushgateway.password"), atomically: true, encoding: .utf8)
        try "secret-token\n".write(
            to: directory.appendingPathComponent("mimir.token"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: "/etc/ssl/certs/ca-certificates.crt", toPath: directory.appendingPathComponent("ca.pem").path)
        let good = try await CLIRun.run(["check-config", config.path])
        #expect(good.status == 0, "\(good)")
        #expect(good.stdout.contains("OK"), "\(good)")
        #expect(!good.output.contains("secret-password") && !good.output.contains("secret-token"))
    }
}
