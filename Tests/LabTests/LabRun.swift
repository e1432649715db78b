import Foundation
import TestSupport

/// Boots the IPVS lab once per test process and runs the integration scenario with the
/// freshly built `ipvs-push`; every lab test awaits the same run.
///
/// Environment:
/// - `IPVS_PUSH_BINARY`: the binary to test (default: `ipvs-push` beside the test bundle,
///   then `.build/debug/ipvs-push` in the package).
/// - `IPVS_LAB_RESULTS`: an existing output directory of `Lab/ipvs-lab ... integration` to
///   check instead of booting (for working on the tests).
enum LabRun {
    static let shared = Task<LabResults, any Error> { try await run() }

    static func results() async throws -> LabResults { try await shared.value }

    static let packageRoot = ProductBinary.packageRoot

    private static func run() async throws -> LabResults {
        LabResults(
            directory: try await LabScenario(
                "integration", timeoutSeconds: 600, resultsVariable: "IPVS_LAB_RESULTS"
            ).run())
    }
}
