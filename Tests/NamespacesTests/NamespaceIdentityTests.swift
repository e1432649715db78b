import Foundation
import Namespaces
import Testing

/// A namespace's identity: the same for every path and descriptor that reaches it, and an
/// error of the right kind for a path that reaches none.
@Suite struct NamespaceIdentityTests {
    @Test func aPathAndAnOpenDescriptorOfOneNamespaceAgree() throws {
        let byPath = try NamespaceIdentity(path: "/proc/self/ns/net")
        let descriptor = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        #expect(NamespaceIdentity(descriptor: descriptor) == byPath)
        #expect(byPath.description == "net:[\(byPath.inode)]")
    }

    @Test func aMissingFileIsNotFound() {
        #expect {
            _ = try NamespaceIdentity(path: "/nonexistent-ipvs-push/netns")
        } throws: { error in
            (error as? NamespaceError)?.kind == .notFound
        }
    }

    @Test func enteringAMissingFileIsNotFoundAndLeavesNoThread() {
        let path = "/nonexistent-ipvs-push/netns"
        #expect {
            try NetworkNamespace.perform(in: path) { 1 }
        } throws: { error in
            (error as? NamespaceError)?.kind == .notFound
        }
        #expect(NetworkNamespace.enteredIdentity(of: path) == nil)
    }
}
