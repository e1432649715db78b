import Foundation
import Testing

@testable import Namespaces

/// `--namespace-glob` patterns expanded with glob(3).
@Suite struct NamespaceGlobTests {
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
}
