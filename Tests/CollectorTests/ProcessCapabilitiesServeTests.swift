import Foundation
import TestSupport
import Testing

@testable import Collector
@testable import Privileges

/// `ipvs-push serve` as root drops its capabilities after start-up. This machine's kernel has
/// no IPVS, so every namespace reports `ipvs_up 0`, but the namespaces are entered (the error
/// then says IPVS is missing, not the namespace) and the capabilities change as they would
/// on a real node; the lab tests (LabCapabilityTests) do the same with IPVS and MARK rules.
@Suite(.serialized) struct ProcessCapabilitiesServeTests {
    static let isRoot = getuid() == 0

    @Test(.enabled(if: isRoot)) func aNamespaceCreatedAfterStartIsEnteredThenSysAdminDropped() async throws {
        let name = "ipvs-push-late-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let path = "/run/netns/\(name)"
        defer { _ = try? ShellCommand.run(["ip", "netns", "delete", name]) }
        let port = FreePort.allocate()
        let process = try ChildProcess(
            try ProductBinary.path(),
            ["serve", "--listen-address", "127.0.0.1:\(port)", "--namespace-path", path, "--log-level", "debug"],
            environment: ProductBinary.childEnvironment, output: .merged)
        defer { process.terminate() }
        let url = "http://127.0.0.1:\(port)/metrics"
        try await TestHTTP.waitUntilReady(url)
        let logText = { process.stdoutSoFar() }
        let interim: CapabilitySet = [.netAdmin, .sysAdmin, .setPCap]
        let netAdmin: CapabilitySet = [.netAdmin]

        // The namespace does not exist yet: CAP_SYS_ADMIN stays, in every thread (and
        // CAP_SETPCAP, to shrink the bounding set later); children get CAP_NET_ADMIN only.
        var threads = try Self.threads(of: process.processIdentifier)
        #expect(
            threads.allSatisfy { $0.permitted == interim && $0.bounding == interim && $0.ambient == netAdmin },
            "\(threads)")
        #expect(logText().contains("keeping CAP_SYS_ADMIN"), "\(logText())")
        var scrape = try await TestHTTP.request(url).text
        #expect(scrape.contains("ipvs_up{namespace=\"\(path)\"} 0"))
        #expect(logText().contains("the file does not exist"))

        // Created: the next collection enters it (then finds no IPVS) and CAP_SYS_ADMIN goes.
        try ShellCommand.check(["ip", "netns", "add", name])
        scrape = try await TestHTTP.request(url).text
        #expect(logText().contains("IPVS is not available"), "\(logText())")
        let deadline = Date().addingTimeInterval(20)
        repeat {
            threads = try Self.threads(of: process.processIdentifier)
            if threads.allSatisfy({ $0.permitted == netAdmin }) { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        } while Date() < deadline
        #expect(
            threads.allSatisfy { $0.permitted == netAdmin && $0.bounding == netAdmin && $0.ambient == netAdmin },
            "\(threads)")
        #expect(logText().contains("dropping CAP_SYS_ADMIN"), "\(logText())")

        // Re-created (as Docker does on a restart): it cannot be entered again, and the
        // message says what to do.
        try ShellCommand.check(["ip", "netns", "delete", name])
        try ShellCommand.check(["ip", "netns", "add", name])
        scrape = try await TestHTTP.request(url).text
        #expect(scrape.contains("ipvs_up{namespace=\"\(path)\"} 0"))
        #expect(logText().contains("network namespace re-created"), "\(logText())")
        #expect(logText().contains("restart ipvs-push"), "\(logText())")
    }

    /// Every thread's state of process `pid`.
    static func threads(of pid: Int32) throws -> [ThreadCapabilities] {
        let ids = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        return ids.compactMap { id in
            (try? String(contentsOfFile: "/proc/\(pid)/task/\(id)/status", encoding: .utf8))
                .flatMap(ThreadCapabilities.init(status:))
        }
    }
}
