/// Renders a document piece by piece, for callers that send it while rendering: each
/// ``render(into:upTo:)`` appends about `limit` bytes (whole lines, stopping after the
/// line that reaches the limit) and remembers where it stopped, inside a family if need
/// be. The bytes are exactly those of ``ExpositionRenderer/render(_:format:)``.
///
/// Memory stays near one piece instead of the whole document: at 10,000 services x 3
/// real servers the document is about 120 MB, and a family alone up to 8 MB. The
/// renderer keeps the families alive until it is dropped (the label text cache keys on
/// their storage).
public struct ExpositionChunkRenderer: ExpositionDocument {
    private let families: [MetricFamily]
    private let order: [Int]
    private let format: ExpositionFormat
    private var cache = RenderedLabelCache()
    /// Position in `order` of the family being rendered.
    private var familyCursor = 0
    /// The next sample of that family; nil before its header is written.
    private var sampleCursor: Int?
    private var ownSampleName: [UInt8] = []

    /// Whether the whole document has been rendered (the next call appends nothing).
    public private(set) var isComplete = false

    /// Whether the document ends here (OpenMetrics' `# EOF`), or is part of a larger one.
    private let endsDocument: Bool

    /// `endsDocument: false` renders the families as part of a larger document: no
    /// `# EOF` at the end in OpenMetrics.
    public init(_ families: [MetricFamily], format: ExpositionFormat, endsDocument: Bool = true) {
        self.families = families
        self.order = ExpositionRenderer.orderByName(families)
        self.format = format
        self.endsDocument = endsDocument
    }

    /// Appends the next piece: lines until `buffer` has grown by `limit` bytes or more,
    /// or the document is complete.
    public mutating func render(into buffer: inout [UInt8], upTo limit: Int) {
        let stop = buffer.count + max(1, limit)
        while buffer.count < stop && !isComplete {
            guard familyCursor < order.count else {
                if format == .openMetrics && endsDocument { ExpositionRenderer.appendLiteral("# EOF\n", into: &buffer) }
                isComplete = true
                return
            }
            let family = families[order[familyCursor]]
            let start: Int
            if let sampleCursor {
                start = sampleCursor
            } else {
                ownSampleName = ExpositionRenderer.renderHeader(of: family, format: format, into: &buffer)
                cache.beginFamily(sampleCount: family.samples.count)
                start = 0
            }
            let next = ExpositionRenderer.renderSamples(
                of: family, from: start, ownSampleName: ownSampleName, openMetrics: format == .openMetrics,
                stoppingAt: stop, cache: &cache, into: &buffer)
            if next >= family.samples.count {
                cache.endFamily()
                familyCursor += 1
                sampleCursor = nil
            } else {
                sampleCursor = next
            }
        }
    }
}
