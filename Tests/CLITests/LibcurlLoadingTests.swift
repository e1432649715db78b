import Foundation
import TestSupport
import Testing

/// libcurl (and the 29 libraries it pulls in) is loaded by the first request, not at
/// start: `serve` never has it mapped. (That a push then loads it and sends is what every
/// push test of this target runs through.)
@Suite("libcurl loaded on demand")
struct LibcurlLoadingTests {
    /// The file names of the shared objects mapped into process `pid`.
    static func mappedLibraries(_ pid: Int32) throws -> Set<String> {
        let maps = try String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)
        return Set(
            maps.split(separator: "\n").compactMap { line in
                line.split(separator: " ", omittingEmptySubsequences: true).last.flatMap {
                    $0.contains(".so") ? URL(fileURLWithPath: String($0)).lastPathComponent : nil
                }
            })
    }

    @Test func serveNeverMapsLibcurl() async throws {
        let port = FreePort.allocate()
        let serve = try CLIRun.start(["serve", "--listen-address", "127.0.0.1:\(port)"])
        defer { serve.signal(SIGKILL) }
        try await TestHTTP.waitUntilReady("http://127.0.0.1:\(port)/metrics")
        let response = try await TestHTTP.request("http://127.0.0.1:\(port)/metrics")
        #expect(response.status == 200 && response.text.contains("ipvs_up"), "\(response.text.prefix(500))")
        let libraries = try Self.mappedLibraries(serve.processIdentifier)
        #expect(libraries.contains { $0.hasPrefix("libc.so") }, "the maps were read: \(libraries.sorted())")
        #expect(!libraries.contains { $0.hasPrefix("libcurl") }, "\(libraries.sorted())")
    }
}
