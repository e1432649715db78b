import Dispatch
import Foundation
import Testing

@testable import Collector
@testable import Namespaces
@testable import Privileges

/// The half of ``ProcessCapabilitiesTests`` that runs in a child process: dropping
/// capabilities cannot be undone, so it never runs in the test process itself. Enabled by
/// `IPVS_PUSH_CAPABILITY_CHILD` = `root` (uid 0 with every capability), `ambient` (uid 65534
/// with CAP_NET_ADMIN and CAP_SYS_ADMIN ambient, as systemd's AmbientCapabilities gives
/// them) or `none` (uid 65534 without capabilities).
@Suite struct ProcessCapabilitiesChildTests {
    static let environment = ProcessInfo.processInfo.environment
    static let mode = environment["IPVS_PUSH_CAPABILITY_CHILD"]

    @Test(.enabled(if: mode != nil)) func dropReachesEveryThread() async throws {
        let mode = try #require(Self.mode)
        let namespace = try #require(Self.environment["IPVS_PUSH_CAPABILITY_NAMESPACE"])
        let other = try #require(Self.environment["IPVS_PUSH_CAPABILITY_OTHER_NAMESPACE"])
        let privileged = mode != "none"

        // Threads of every kind the agent has: plain threads, Dispatch workers busy in a work
        // item (they block asynchronous signals), the concurrency pool, a namespace thread.
        let release = DispatchSemaphore(value: 0)
        for _ in 0..<3 { Thread.detachNewThread { release.wait() } }
        for index in 0..<2 { DispatchQueue(label: "blocked-\(index)").async { release.wait() } }
        let sleepers = (0..<4).map { _ in Task.detached { try? await Task.sleep(for: .seconds(600)) } }
        let namespaceThread = privileged ? try NetworkNamespace.thread(for: namespace) : nil
        let before = try ProcessCapabilities.threads()
        #expect(before.count >= 7, "threads: \(before.map(\.name))")

        // "pattern": what a namespace pattern keeps, in a process that holds exactly that (a
        // container's binary with file capabilities): the children's ambient set is still raised.
        let keep: CapabilitySet = mode == "pattern" ? [.netAdmin, .sysAdmin] : [.netAdmin]
        let outcome = try ProcessCapabilities.restrict(toKeep: keep, forChildren: [.netAdmin])
        let after = try ProcessCapabilities.threads()
        let netAdmin: CapabilitySet = [.netAdmin]
        if privileged {
            guard case .restricted(let old, let new, let count) = outcome else {
                Issue.record("nothing was restricted: \(outcome)")
                return
            }
            #expect(count >= before.count)
            #expect(new.effective == keep && new.permitted == keep && new.inheritable == keep)
            #expect(new.ambient == netAdmin)
            #expect(new.noNewPrivileges)
            // Root drops its bounding set; a user without CAP_SETPCAP cannot, and need not.
            #expect(new.bounding == (mode == "root" ? netAdmin : old.bounding))
            for thread in after {
                #expect(thread.hasSameSets(as: new), "thread \(thread.threadID) (\(thread.name)): \(thread)")
            }
        } else {
            guard case .unchanged = outcome else {
                Issue.record("an unprivileged process was changed: \(outcome)")
                return
            }
            for thread in after {
                #expect(thread.permitted.isEmpty && !thread.noNewPrivileges, "\(thread.name): \(thread)")
            }
        }

        // A thread started afterwards inherits the sets.
        let late = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try ProcessCapabilities.current() }) }
        }
        #expect(late.hasSameSets(as: try ProcessCapabilities.current()))

        if let namespaceThread {
            // The namespace thread still reads both backends' rules: legacy in-process,
            // nft through iptables-nft-save, which gets CAP_NET_ADMIN and nothing more.
            let marks = try namespaceThread.run { FirewallMarkRules.readCurrentNamespace() }
            #expect(marks == ProcessCapabilitiesNamespace.expectedMarks)
            let child = try namespaceThread.run { ChildProcess.run("/bin/cat", ["/proc/self/status"]) }
            let childState = try #require(
                child.flatMap { ThreadCapabilities(status: String(decoding: $0.standardOutput, as: UTF8.self)) })
            // Root's children get its bounding set, which only CAP_SETPCAP could have shrunk ("pattern"
            // runs as root without it); a non-root agent's children get the ambient CAP_NET_ADMIN.
            let childGets = mode == "pattern" ? keep : netAdmin
            #expect(childState.effective == childGets && childState.permitted == childGets, "child: \(childState)")
            // Entering another namespace needs CAP_SYS_ADMIN, which is gone unless kept.
            let entering = Result { () throws(NamespaceError) in try NetworkNamespace.thread(for: other) }
            switch entering {
            case .success(let thread):
                #expect(keep.contains(.sysAdmin), "entered \(other) without CAP_SYS_ADMIN")
                thread.retire()
            case .failure(let error):
                #expect(!keep.contains(.sysAdmin), "kept CAP_SYS_ADMIN, yet: \(error)")
                #expect(error.kind == .entryDenied, "\(error)")
            }
        }
        for _ in 0..<5 { release.signal() }
        for sleeper in sleepers { sleeper.cancel() }
        print("capability child \(mode): done")
    }
}
