import Exposition
import Testing

/// One dump of the integration scenario and the ipvsadm readings taken around it.
struct LabDumpCase: Sendable, CustomTestStringConvertible {
    var file: String
    var truth: String
    var format: ExpositionFormat

    var testDescription: String { "\(file) (\(format.rawValue))" }

    static let all = [
        LabDumpCase(file: "dump.prom", truth: "truth.prom", format: .prometheus),
        LabDumpCase(file: "dump.om", truth: "truth.om", format: .openMetrics),
    ]
}
