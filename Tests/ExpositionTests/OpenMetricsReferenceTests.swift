import Exposition
import TestSupport
import Testing

/// OpenMetrics output held to the reference client's strict OpenMetrics parser (promtool
/// 2.42 only reads text 0.0.4; see PromtoolTests for what it says about OpenMetrics).
@Suite struct OpenMetricsReferenceTests {
    @Test func everythingTheModelHoldsIsValidOpenMetrics() throws {
        let rendered = ExpositionRenderer.render(Fixtures.all(), format: .openMetrics)
        let result = try FormatCheck.openMetrics(rendered)
        #expect(result.status == 0, "\(result)\n\(String(decoding: rendered, as: UTF8.self))")
    }

    @Test func theReferenceParserRejectsBrokenOpenMetrics() throws {
        // The checker must be able to fail: no # EOF, and a counter sample without _total.
        let broken = Array("# TYPE a counter\na 1\n".utf8)
        #expect(try FormatCheck.openMetrics(broken).status != 0)
    }
}

/// The streaming renderer writes the same bytes as the one-buffer renderer.
@Suite struct StreamingRenderTests {
    @Test(arguments: ExpositionFormat.allCases, [1, 64, 1 << 20])
    func piecesAddUpToTheWholeDocument(format: ExpositionFormat, threshold: Int) {
        let families = Fixtures.all()
        var pieces: [[UInt8]] = []
        ExpositionRenderer.render(families, format: format, flushingAt: threshold) { pieces.append($0) }
        #expect(Array(pieces.joined()) == ExpositionRenderer.render(families, format: format))
        if threshold == 1 { #expect(pieces.count >= families.count) }
    }
}
