import CRemoteWriteProto
import Exposition

/// The protobuf enum values of a family's type, identical in 1.0 and 2.0
/// (untyped is 1.0's UNKNOWN and 2.0's METRIC_TYPE_UNSPECIFIED; gaugehistogram 4,
/// info 6 and stateset 7 have codes of their own in both).
enum MetricTypeCodes {
    static func code(_ type: MetricType) -> UInt32 {
        switch type {
        case .untyped: 0
        case .counter: 1
        case .gauge: 2
        case .histogram: 3
        case .gaugeHistogram: 4
        case .summary: 5
        case .info: 6
        case .stateset: 7
        }
    }

    static func type(_ code: UInt32) -> MetricType {
        switch code {
        case 1: .counter
        case 2: .gauge
        case 3: .histogram
        case 4: .gaugeHistogram
        case 5: .summary
        case 6: .info
        case 7: .stateset
        default: .untyped
        }
    }

    static func v1(_ type: MetricType) -> Prometheus__MetricMetadata__MetricType {
        Prometheus__MetricMetadata__MetricType(rawValue: code(type))
    }

    static func v2(_ type: MetricType) -> Io__Prometheus__Write__V2__Metadata__MetricType {
        Io__Prometheus__Write__V2__Metadata__MetricType(rawValue: code(type))
    }
}
