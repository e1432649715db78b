import TestSupport

/// Compares what a test expected in a group with what the gateway stored, value by value
/// (NaN equals NaN; everything else must be exactly equal).
enum SeriesDiff {
    /// One line per missing, unexpected or different series; empty when they match.
    static func differences(expected: [PushgatewaySeries: Double], actual: [PushgatewaySeries: Double]) -> [String] {
        var lines: [String] = []
        for (series, value) in expected.sorted(by: { $0.key < $1.key }) {
            guard let stored = actual[series] else {
                lines.append("missing: \(series) \(value)")
                continue
            }
            if !same(stored, value) { lines.append("different: \(series) expected \(value), stored \(stored)") }
        }
        for (series, value) in actual.sorted(by: { $0.key < $1.key }) where expected[series] == nil {
            lines.append("unexpected: \(series) \(value)")
        }
        return lines
    }

    static func same(_ a: Double, _ b: Double) -> Bool {
        (a.isNaN && b.isNaN) || a == b
    }
}
