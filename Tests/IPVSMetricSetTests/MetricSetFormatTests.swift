import Exposition
import IPVSFixtures
import TestSupport
import Testing

@testable import Collector
@testable import IPVSMetricSet

/// The IPVS metric set passes promtool's parser and lint as text 0.0.4, and the
/// reference parser as OpenMetrics.
@Suite struct MetricSetFormatTests {
    @Test func textPassesPromtool() throws {
        for options in [MetricOptions(), MetricOptions(compatibility: .telegraf)] {
            let rendered = ExpositionRenderer.render(
                IPVSMetrics.families(IPVSFixtures.collections, options: options), format: .prometheus)
            let result = try FormatCheck.promtool(rendered)
            #expect(result.status == 0 && result.output.isEmpty, "\(options): \(result)")
        }
    }

    @Test func openMetricsPassesTheReferenceParser() throws {
        for options in [
            MetricOptions(), MetricOptions(compatibility: .ingressIPVSExporter),
            MetricOptions(compatibility: .telegraf),
        ] {
            let rendered = ExpositionRenderer.render(
                IPVSMetrics.families(IPVSFixtures.collections, options: options), format: .openMetrics)
            let result = try FormatCheck.openMetrics(rendered)
            #expect(result.status == 0, "\(result)")
        }
    }
}
