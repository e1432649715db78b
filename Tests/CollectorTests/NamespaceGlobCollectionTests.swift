import Foundation
import Namespaces
import TestSupport
import Testing

@testable import Collector

/// `--namespace-glob`: patterns matched at every collection, each namespace read once
/// however many paths reach it, and let go when its file is gone. This machine's kernel has
/// no IPVS, so the namespaces read here fail; the lab reads real services the same way.
@Suite struct NamespaceGlobCollectionTests {
    static let isRoot = getuid() == 0

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
        #expect(after.namespaces.isEmpty, "a namespace without services emits no series")
    }
}
