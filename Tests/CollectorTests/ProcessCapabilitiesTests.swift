import Foundation
import TestSupport
import Testing

@testable import Collector
@testable import Privileges

/// Dropping capabilities in every thread (``ProcessCapabilities``). The drop itself runs in a
/// child process (``ProcessCapabilitiesChildTests``, this test binary again, filtered to that
/// one test), as root and as an unprivileged user with and without ambient capabilities.
@Suite(.serialized) struct ProcessCapabilitiesTests {
    static let isRoot = getuid() == 0
    static let unprivileged = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    @Test(.enabled(if: isRoot)) func rootKeepsOnlyNetAdminInEveryThread() throws {
        try runChild(mode: "root", prefix: [])
    }

    @Test(.enabled(if: isRoot)) func ambientUserKeepsOnlyNetAdminInEveryThread() throws {
        try runChild(
            mode: "ambient",
            prefix: Self.unprivileged + ["--inh-caps=+net_admin,+sys_admin", "--ambient-caps=+net_admin,+sys_admin"])
    }

    /// Root with only CAP_NET_ADMIN and CAP_SYS_ADMIN in its bounding set holds exactly what a
    /// namespace pattern keeps, as a container's binary with file capabilities does.
    @Test(.enabled(if: isRoot)) func holdingExactlyWhatIsKeptStillGivesChildrenNetAdmin() throws {
        try runChild(
            mode: "pattern", prefix: ["setpriv", "--bounding-set=-all,+net_admin,+sys_admin", "--inh-caps=-all"])
    }

    @Test(.enabled(if: isRoot)) func unprivilegedUserIsLeftAlone() throws {
        try runChild(mode: "none", prefix: Self.unprivileged + ["--inh-caps=-all"])
    }

    @Test func statusFileParsing() throws {
        let text = """
            Name:\tipvs-push netns
            Pid:\t4242
            SigBlk:\tfffffffe3bfa3a00
            CapInh:\t0000000000001000
            CapPrm:\t0000000000201000
            CapEff:\t0000000000201000
            CapBnd:\t000001ffffffffff
            CapAmb:\t0000000000001000
            NoNewPrivs:\t1
            """
        let state = try #require(ThreadCapabilities(status: text))
        #expect(state.threadID == 4242 && state.name == "ipvs-push netns")
        #expect(state.effective == [.netAdmin, .sysAdmin])
        #expect(state.inheritable == [.netAdmin] && state.ambient == [.netAdmin])
        #expect(state.bounding.capabilities.count == 41)
        #expect(state.noNewPrivileges && !state.blocksSIGSYS)
        #expect(!state.holdsNothing(beyond: [.netAdmin]))
        #expect(state.holdsNothing(beyond: [.netAdmin, .sysAdmin]))
        #expect(state.description.hasPrefix("effective=CAP_NET_ADMIN,CAP_SYS_ADMIN permitted="))
        #expect(ThreadCapabilities(status: "Name:\tx\nPid:\t1\n") == nil)
    }

    @Test func capabilityNames() {
        #expect(Capability.netAdmin.name == "CAP_NET_ADMIN")
        #expect(Capability(name: "sys_admin") == .sysAdmin)
        #expect(Capability(name: "CAP_CHECKPOINT_RESTORE")?.number == 40)
        #expect(Capability(number: 63).name == "CAP_63")
        #expect(Capability(name: "CAP_NOPE") == nil)
        #expect(CapabilitySet.empty.description == "none")
    }

    /// Whether a user that owns none of it can reach and run `path`.
    static func othersCanExecute(_ path: String) -> Bool {
        var current = URL(fileURLWithPath: path)
        while current.path != "/" {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: current.path),
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o001 != 0
            else { return false }
            current.deleteLastPathComponent()
        }
        return true
    }

    /// Runs the child test as `mode`, after `prefix` (setpriv), with a namespace that has MARK
    /// rules and one more to try entering after the drop.
    private func runChild(mode: String, prefix: [String]) throws {
        let namespace = try ProcessCapabilitiesNamespace(rules: true)
        defer { namespace.remove() }
        let other = try ProcessCapabilitiesNamespace(rules: false)
        defer { other.remove() }
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if !prefix.isEmpty {
            try #require(
                Self.othersCanExecute(testBinary),
                "uid 65534 cannot run \(testBinary): every directory above it needs o+x (build outside /root)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["IPVS_PUSH_CAPABILITY_CHILD"] = mode
        environment["IPVS_PUSH_CAPABILITY_NAMESPACE"] = namespace.path
        environment["IPVS_PUSH_CAPABILITY_OTHER_NAMESPACE"] = other.path
        let (status, text) = try ShellCommand.run(
            prefix + [testBinary, "--testing-library", "swift-testing", "--filter", "ProcessCapabilitiesChildTests"],
            environment: environment)
        #expect(status == 0, "child (\(mode)) exited with \(status):\n\(text)")
        #expect(text.contains("capability child \(mode): done"), "the child test did not run to its end:\n\(text)")
    }
}
