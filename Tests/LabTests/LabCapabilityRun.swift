import Foundation
import TestSupport

/// Boots the IPVS lab once per test process with the `capabilities` scenario
/// (Lab/scenarios/capabilities.sh) and the freshly built `ipvs-push`; the capability tests
/// await the same run. `IPVS_LAB_CAPABILITY_RESULTS` names an existing output directory to
/// check instead of booting.
enum LabCapabilityRun {
    static let shared = Task<LabResults, any Error> { try await run() }

    static func results() async throws -> LabResults { try await shared.value }

    private static func run() async throws -> LabResults {
        LabResults(
            directory: try await LabScenario(
                "capabilities", timeoutSeconds: 600, resultsVariable: "IPVS_LAB_CAPABILITY_RESULTS"
            ).run())
    }
}
