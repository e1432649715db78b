import Exposition
import Testing

/// ExpositionChunkRenderer: the pieces, whatever their size, are the whole document.
@Suite struct ChunkRendererTests {
    /// The fixtures plus one large family sharing its label sets with another, so that
    /// pieces end inside families and the label text cache is hit across pieces.
    static func families() -> [MetricFamily] {
        let labels = (0..<500).map { Labels(["address": "10.0.\($0 / 256).\($0 % 256)", "port": "80"]) }
        var first = MetricFamily(name: "a_connections_total", type: .counter, help: "Connections.")
        var second = MetricFamily(name: "a_weight", type: .gauge, help: "Weight.")
        for (index, set) in labels.enumerated() {
            first.add(set, Double(index))
            second.add(set, Double(index) / 4)
        }
        return Fixtures.all() + [second, first]
    }

    @Test(arguments: ExpositionFormat.allCases, [1, 7, 100, 4096, 1 << 20])
    func piecesAreTheDocument(format: ExpositionFormat, limit: Int) {
        let families = Self.families()
        var renderer = ExpositionChunkRenderer(families, format: format)
        var document: [UInt8] = []
        var pieces = 0
        while !renderer.isComplete {
            var piece: [UInt8] = []
            renderer.render(into: &piece, upTo: limit)
            if !piece.isEmpty {
                pieces += 1
                // Whole lines only.
                #expect(piece.last == UInt8(ascii: "\n"))
            }
            document += piece
        }
        #expect(document == ExpositionRenderer.render(families, format: format))
        if limit == 1 { #expect(pieces >= 1000) }
        if limit == 1 << 20 { #expect(pieces == 1) }

        // Once complete, nothing more.
        var after: [UInt8] = []
        renderer.render(into: &after, upTo: limit)
        #expect(after.isEmpty)
    }

    @Test func emptyDocument() {
        var text = ExpositionChunkRenderer([], format: .prometheus)
        var piece: [UInt8] = []
        text.render(into: &piece, upTo: 10)
        #expect(piece.isEmpty && text.isComplete)
        var openMetrics = ExpositionChunkRenderer([], format: .openMetrics)
        openMetrics.render(into: &piece, upTo: 10)
        #expect(piece == Array("# EOF\n".utf8))
    }
}
