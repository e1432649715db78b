import Collector
import Exposition

extension IPVSMetrics {
    /// The metric set of `collections` as a document rendered piece by piece: the same
    /// bytes as rendering ``families(_:options:)`` (plus `extra`, in name order with
    /// the rest) in `format`, written straight from the collections without building the
    /// families (at 10,000 services x 3 real servers those are 600,000 samples and over
    /// 40 MB that `dump` and `serve` would only render and drop).
    public static func document(
        _ collections: [NamespaceCollection], options: MetricOptions = MetricOptions(), format: ExpositionFormat,
        extra: [MetricFamily] = []
    ) -> any ExpositionDocument {
        if options.compatibility != nil {
            return ExpositionChunkRenderer(families(collections, options: options) + extra, format: format)
        }
        return IPVSMetricsDocument(collections, options: options, format: format, extra: extra)
    }

    /// The metric set of one collection as a document (see above), with what the namespace
    /// patterns and the names sources found.
    public static func document(
        _ collection: IPVSCollection, options: MetricOptions = MetricOptions(), format: ExpositionFormat,
        extra: [MetricFamily] = []
    ) -> any ExpositionDocument {
        document(collection.namespaces, options: options, format: format, extra: collectionFamilies(collection) + extra)
    }
}

/// Renders the metric set family by family (in name order, as ``ExpositionRenderer``
/// does) straight from the collections, remembering where it stopped inside a family.
///
/// The label text of each virtual service is rendered once, on the first family that
/// needs it; a real server's label text is that of its service with the real server's
/// address, port and forwarding method spliced in, so nothing is kept per real server.
struct IPVSMetricsDocument: ExpositionDocument {
    /// Where a service's label text lies in `labelText`: `{address="…"` up to `addressEnd`,
    /// `,family="…"` up to `familyEnd`, the rest up to and including `}` at `end`.
    private struct ServiceText {
        var start: Int
        var addressEnd: Int
        var familyEnd: Int
        var end: Int
    }

    private let collections: [NamespaceCollection]
    /// The snapshot of each collection; nil where reading the namespace failed.
    private let snapshots: [NamespaceSnapshot?]
    /// A family of the document: one of the metric set, or one given to merge in.
    private enum Part {
        case metric(IPVSMetrics.Definition)
        case extra(MetricFamily)

        var name: String {
            switch self {
            case .metric(let definition): definition.family.name
            case .extra(let family): family.name
            }
        }
    }

    /// The families that have samples, in name order.
    private let parts: [Part]
    /// The merged-in family being rendered, when it is one.
    private var extraRenderer: ExpositionChunkRenderer?
    private let format: ExpositionFormat
    private let nameLabel: Bool
    private var labelText: [UInt8] = []
    private let line = LineAssembler()
    /// Per collection, the label text of each service, once rendered.
    private var serviceTexts: [[ServiceText]?]

    private var familyCursor = 0
    /// The name the current family's samples are written with; nil until its header is.
    private var sampleName: [UInt8]?
    private var namespaceCursor = 0
    private var serviceCursor = 0
    private var destinationCursor = 0

    private(set) var isComplete = false

    init(_ collections: [NamespaceCollection], options: MetricOptions, format: ExpositionFormat, extra: [MetricFamily])
    {
        self.collections = collections
        self.format = format
        self.nameLabel = options.nameLabel
        let snapshots = collections.map { collection -> NamespaceSnapshot? in
            if case .success(let snapshot) = collection.result { return snapshot }
            return nil
        }
        self.snapshots = snapshots
        serviceTexts = Array(repeating: nil, count: collections.count)
        let read = snapshots.compactMap { $0 }
        let hasServices = read.contains { !$0.services.isEmpty }
        let hasPersistent = read.contains { $0.services.contains { $0.flags.contains(.persistent) } }
        let hasDestinations = read.contains { $0.services.contains { !$0.destinations.isEmpty } }
        let hasNames = read.contains { $0.services.contains { $0.name != nil } }
        let metrics = IPVSMetrics.definitions(options: options).filter { definition in
            switch definition.kind {
            case _ where definition.kind.scope == .namespace:
                collections.indices.contains { index in
                    !IPVSMetrics.namespaceSamples(
                        definition.kind, of: collections[index], snapshots[index], nameLabel: options.nameLabel
                    ).isEmpty
                }
            case .persistence: hasPersistent
            case .serviceName: hasNames
            default: definition.kind.scope == .service ? hasServices : hasDestinations
            }
        }
        // Stable, so the order is ExpositionRenderer's for any names.
        let unsorted = metrics.map(Part.metric) + extra.map(Part.extra)
        parts = unsorted.indices.sorted { a, b in
            let (nameA, nameB) = (unsorted[a].name, unsorted[b].name)
            return Labels.bytewiseLess(nameA, nameB) || (nameA == nameB && a < b)
        }.map { unsorted[$0] }
    }

    mutating func render(into buffer: inout [UInt8], upTo limit: Int) {
        let stop = buffer.count + max(1, limit)
        while buffer.count < stop && !isComplete {
            guard familyCursor < parts.count else {
                if format == .openMetrics { Self.appendLiteral("# EOF\n", into: &buffer) }
                isComplete = true
                return
            }
            let definition: IPVSMetrics.Definition
            switch parts[familyCursor] {
            case .metric(let metric):
                definition = metric
            case .extra(let family):
                if extraRenderer == nil {
                    extraRenderer = ExpositionChunkRenderer([family], format: format, endsDocument: false)
                }
                extraRenderer!.render(into: &buffer, upTo: stop - buffer.count)
                if extraRenderer!.isComplete {
                    extraRenderer = nil
                    familyCursor += 1
                }
                continue
            }
            if sampleName == nil {
                sampleName = ExpositionRenderer.renderHeader(of: definition.family, format: format, into: &buffer)
                namespaceCursor = 0
                serviceCursor = 0
                destinationCursor = 0
            }
            let finished: Bool
            switch definition.kind.scope {
            case .namespace: finished = renderNamespaceLines(definition.kind, stoppingAt: stop, into: &buffer)
            case .service: finished = renderServiceLines(definition.kind, stoppingAt: stop, into: &buffer)
            case .destination: finished = renderDestinationLines(definition.kind, stoppingAt: stop, into: &buffer)
            }
            if finished {
                familyCursor += 1
                sampleName = nil
            }
        }
    }

    // MARK: Lines

    /// The lines of each namespace (the failed ones too for `ipvs_up` and the duration).
    /// Returns whether the family is complete.
    private mutating func renderNamespaceLines(
        _ kind: IPVSMetrics.Kind, stoppingAt stop: Int, into buffer: inout [UInt8]
    ) -> Bool {
        while namespaceCursor < collections.count {
            let samples = IPVSMetrics.namespaceSamples(
                kind, of: collections[namespaceCursor], snapshots[namespaceCursor], nameLabel: nameLabel)
            namespaceCursor += 1
            for sample in samples {
                buffer.append(contentsOf: sampleName!)
                ExpositionRenderer.appendLabels(sample.labels, into: &buffer)
                Self.appendValue(sample.value, into: &buffer)
            }
            if buffer.count >= stop { return false }
        }
        return true
    }

    private mutating func renderServiceLines(
        _ kind: IPVSMetrics.Kind, stoppingAt stop: Int, into buffer: inout [UInt8]
    ) -> Bool {
        while namespaceCursor < snapshots.count {
            guard let snapshot = snapshots[namespaceCursor] else {
                namespaceCursor += 1
                continue
            }
            let texts = serviceTexts(of: namespaceCursor)
            let namespace = collections[namespaceCursor].namespace
            let nameLabel = self.nameLabel
            let name = sampleName!
            let line = self.line
            var serviceCursor = self.serviceCursor
            defer { self.serviceCursor = serviceCursor }
            let done = name.withUnsafeBufferPointer { name in
                labelText.withUnsafeBufferPointer { labelText in
                    snapshot.services.withUnsafeBufferPointer { services in
                        while serviceCursor < services.count {
                            let text = texts[serviceCursor]
                            let value = IPVSMetrics.serviceValue(kind, services[serviceCursor])
                            serviceCursor += 1
                            guard let value else { continue }
                            if kind == .serviceInfo || kind == .serviceName {
                                let service = services[serviceCursor - 1]
                                let base = IPVSMetrics.serviceLabels(
                                    service, namespace: namespace, markPorts: snapshot.markPorts, nameLabel: nameLabel)
                                let labels =
                                    kind == .serviceInfo
                                    ? IPVSMetrics.infoLabels(service, base: base)
                                    : IPVSMetrics.nameLabels(service.name!, base: base)
                                buffer.append(contentsOf: name)
                                ExpositionRenderer.appendLabels(labels.pairs, into: &buffer)
                                Self.appendValue(value, into: &buffer)
                            } else {
                                var cursor = line.start(room: name.count + text.end - text.start + 32)
                                cursor.bytes(name)
                                cursor.bytes(UnsafeBufferPointer(rebasing: labelText[text.start..<text.end]))
                                Self.finishLine(cursor, value: value, line: line, into: &buffer)
                            }
                            if buffer.count >= stop { return false }
                        }
                        return true
                    }
                }
            }
            guard done else { return false }
            serviceCursor = 0
            namespaceCursor += 1
        }
        return true
    }

    private mutating func renderDestinationLines(
        _ kind: IPVSMetrics.Kind, stoppingAt stop: Int, into buffer: inout [UInt8]
    ) -> Bool {
        while namespaceCursor < snapshots.count {
            guard let snapshot = snapshots[namespaceCursor] else {
                namespaceCursor += 1
                continue
            }
            let texts = serviceTexts(of: namespaceCursor)
            let name = sampleName!
            let line = self.line
            var serviceCursor = self.serviceCursor
            var destinationCursor = self.destinationCursor
            defer {
                self.serviceCursor = serviceCursor
                self.destinationCursor = destinationCursor
            }
            let done = name.withUnsafeBufferPointer { name in
                labelText.withUnsafeBufferPointer { labelText in
                    snapshot.services.withUnsafeBufferPointer { services in
                        while serviceCursor < services.count {
                            let text = texts[serviceCursor]
                            let room = name.count + text.end - text.start + 160
                            let finishedService = services[serviceCursor].destinations.withUnsafeBufferPointer {
                                destinations in
                                while destinationCursor < destinations.count {
                                    let destination = destinations[destinationCursor]
                                    destinationCursor += 1
                                    // {address="…",destination_address="…",destination_port="…",family="…",
                                    // forwarding="…",fwmark="…",…}: the service's text with the real server
                                    // spliced in.
                                    var cursor = line.start(room: room)
                                    cursor.bytes(name)
                                    cursor.bytes(UnsafeBufferPointer(rebasing: labelText[text.start..<text.addressEnd]))
                                    cursor.literal(",destination_address=\"")
                                    cursor.address(destination.address)
                                    cursor.literal("\",destination_port=\"")
                                    cursor.decimal(UInt64(destination.port))
                                    cursor.byte(UInt8(ascii: "\""))
                                    cursor.bytes(
                                        UnsafeBufferPointer(rebasing: labelText[text.addressEnd..<text.familyEnd]))
                                    cursor.literal(",forwarding=\"")
                                    cursor.literal(destination.forwarding.literalName)
                                    cursor.byte(UInt8(ascii: "\""))
                                    cursor.bytes(UnsafeBufferPointer(rebasing: labelText[text.familyEnd..<text.end]))
                                    Self.finishLine(
                                        cursor, value: IPVSMetrics.destinationValue(kind, destination), line: line,
                                        into: &buffer)
                                    if buffer.count >= stop { return false }
                                }
                                return true
                            }
                            guard finishedService else { return false }
                            destinationCursor = 0
                            serviceCursor += 1
                        }
                        return true
                    }
                }
            }
            guard done else { return false }
            serviceCursor = 0
            namespaceCursor += 1
        }
        return true
    }

    /// Ends the line in `cursor` with ` value\n` and appends it to `buffer`.
    @inline(__always)
    private static func finishLine(_ cursor: LineCursor, value: Double, line: LineAssembler, into buffer: inout [UInt8])
    {
        var cursor = cursor
        if cursor.integralValueLine(value) {
            line.finish(cursor, into: &buffer)
        } else {
            line.finish(cursor, into: &buffer)
            appendValue(value, into: &buffer)
        }
    }

    // MARK: Pieces

    /// ` value\n`.
    @inline(__always)
    private static func appendValue(_ value: Double, into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: " "))
        ExpositionRenderer.appendValue(value, into: &buffer)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// The label text of every service of the collection at `index`, rendered on first use.
    private mutating func serviceTexts(of index: Int) -> [ServiceText] {
        if let texts = serviceTexts[index] { return texts }
        guard let snapshot = snapshots[index] else { return [] }
        let namespace = collections[index].namespace
        var texts: [ServiceText] = []
        texts.reserveCapacity(snapshot.services.count)
        for service in snapshot.services {
            let labels = IPVSMetrics.serviceLabels(
                service, namespace: namespace, markPorts: snapshot.markPorts, nameLabel: nameLabel)
            // address, family, fwmark, namespace, port, protocol, scheduler (, service_name): exactly what
            // ExpositionRenderer.appendLabels writes for them, with two split points.
            let start = labelText.count
            labelText.append(UInt8(ascii: "{"))
            Self.appendPair(labels[0], into: &labelText)
            let addressEnd = labelText.count
            labelText.append(UInt8(ascii: ","))
            Self.appendPair(labels[1], into: &labelText)
            let familyEnd = labelText.count
            for label in labels[2...] {
                labelText.append(UInt8(ascii: ","))
                Self.appendPair(label, into: &labelText)
            }
            labelText.append(UInt8(ascii: "}"))
            texts.append(ServiceText(start: start, addressEnd: addressEnd, familyEnd: familyEnd, end: labelText.count))
        }
        serviceTexts[index] = texts
        return texts
    }

    /// `name="value"`, the value escaped.
    private static func appendPair(_ label: Label, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: label.name.utf8)
        buffer.append(UInt8(ascii: "="))
        buffer.append(UInt8(ascii: "\""))
        ExpositionRenderer.appendLabelValue(label.value, into: &buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func appendLiteral(_ literal: StaticString, into buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
