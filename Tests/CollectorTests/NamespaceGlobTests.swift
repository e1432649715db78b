import Foundation
import TestSupport
import Testing

@testable import Collector

/// `--namespace-glob`: patterns matched at every collection, each namespace read once
/// however many paths reach it, and let go when its file is gone. This machine's kernel has
/// no IPVS, so the namespaces read here fail; the lab reads real services the same way.
@Suite struct NamespaceGlobTests {
    static let isRoot = getuid() == 0

    @Test func patternsExpandInOrderEachPatternsMatchesSorted() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ipvs-push-glob-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for name in ["lb_b", "lb_a", "ingress_sbox", "1234567890ab"] {
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(name).path, contents: nil)
        }
        let root = directory.path
        #expect(
            NamespaceGlob.expand(["\(root)/ingress_sbox", "\(root)/lb_*", "\(root)/*", "\(root)/none-*"]) == [
                "\(root)/ingress_sbox", "\(root)/lb_a", "\(root)/lb_b", "\(root)/1234567890ab",
            ])
        #expect(NamespaceGlob.expand(["/nonexistent-ipvs-push/*"]).isEmpty)
    }

    @Test(.enabled(if: isRoot)) func matchedNamespacesAreCountedOnceAndLetGoWhenTheirFileGoes() throws {
        let prefix = "ipvs-push-glob-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        let first = "\(prefix)-a"
        let second = "\(prefix)-b"
        let aliases = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: aliases, withIntermediateDirectories: true)
        let alias = aliases.appendingPathComponent("first").path
        defer {
            _ = try? ShellCommand.run(["umount", alias])
            try? FileManager.default.removeItem(at: aliases)
            _ = try? ShellCommand.run(["ip", "netns", "delete", first])
            _ = try? ShellCommand.run(["ip", "netns", "delete", second])
        }
        _ = try ShellCommand.check(["ip", "netns", "add", first])
        _ = try ShellCommand.check(["ip", "netns", "add", second])
        _ = FileManager.default.createFile(atPath: alias, contents: nil)
        _ = try ShellCommand.check(["mount", "--bind", "/run/netns/\(first)", alias])

        let capture = LogCapture()
        let collector = IPVSCollector(
            namespaces: [], namespaceGlobs: ["/run/netns/\(prefix)-*", "\(aliases.path)/*"],
            logger: capture.logger())
        let reading = collector.collectBlocking()
        // Two namespaces, three paths: the alias is the first namespace again.
        let discovery = try #require(reading.discovery)
        #expect(discovery.withServices == 0 && discovery.empty + discovery.failed == 2, "\(discovery)")
        #expect(reading.namespaces.isEmpty, "a namespace without services emits no series")
        #expect(capture.contains(.info, "network namespace found namespace=/run/netns/\(first)"))
        #expect(capture.contains(.info, "network namespace found namespace=/run/netns/\(second)"))
        #expect(!capture.lines.contains { $0.contains("found namespace=\(alias)") })
        #expect(NetworkNamespace.enteredIdentity(of: "/run/netns/\(second)") != nil)

        _ = try ShellCommand.check(["ip", "netns", "delete", second])
        let after = collector.collectBlocking()
        let left = try #require(after.discovery)
        #expect(left.withServices + left.empty + left.failed == 1, "\(left)")
        #expect(capture.contains(.info, "network namespace gone namespace=/run/netns/\(second)"))
        // The thread inside it ended, so the kernel can free the namespace.
        #expect(NetworkNamespace.enteredIdentity(of: "/run/netns/\(second)") == nil)

        let families = IPVSMetrics.families(after)
        let namespaces = try #require(families.first { $0.name == "ipvs_namespaces" })
        #expect(namespaces.samples.map { $0.labels["state"] ?? "" } == ["empty", "failed", "with_services"])
        #expect(namespaces.samples.map(\.value).reduce(0, +) == 1)
        #expect(!families.contains { $0.name == "ipvs_up" })
    }
}
